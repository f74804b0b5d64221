# Shared by demo.sh and test.sh (sourced, not run): Debian packages installed
# only when missing, and the project's virtualenv in .venv.

# Debian packages still to install; the scripts add to it, install_missing acts on it.
MISSING_PACKAGES=()

need_python() {
    if ! command -v python3 >/dev/null 2>&1; then
        MISSING_PACKAGES+=(python3 python3-venv)
    elif ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        # Debian ships venv's pip bootstrap in a separate package.
        MISSING_PACKAGES+=(python3-venv)
    fi
}

install_missing() {
    if [ ${#MISSING_PACKAGES[@]} -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing system packages: ${MISSING_PACKAGES[*]}" >&2
        echo "run this script as root, or: sudo apt-get install ${MISSING_PACKAGES[*]}" >&2
        exit 1
    fi
    echo "installing system packages: ${MISSING_PACKAGES[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${MISSING_PACKAGES[@]}"
    MISSING_PACKAGES=()
}

# make_venv SPEC: .venv with Python 3.10+ and `pip install -e SPEC` (e.g. . or .[test]).
make_venv() {
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
        echo "Vigie needs Python 3.10 or newer; python3 is $(python3 --version 2>&1)" >&2
        exit 1
    fi
    if [ ! -x .venv/bin/python ]; then
        rm -rf .venv
        python3 -m venv .venv
    fi
    echo "installing Vigie ($1) into .venv; the first time this downloads its dependencies"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$1"
}
