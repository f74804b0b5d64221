from vigie.cli import main

# Guarded so that multiprocessing's spawn (used by `vigie demo`) can import
# this module in a child without running the CLI again.
if __name__ == "__main__":
    main()
