"""`vigie keys`: API keys for the server-side APIs (POST /api/v1/events).

The token is printed once, at creation: only its hash is stored, so a lost
token is replaced (add a new key, revoke the old one), never recovered.
"""
from vigie.cli_common import CommandError, _command, command_store, registered_site
from vigie.warehouse.api_keys import ApiKeyError, create_api_key, list_api_keys, revoke_api_key


def cmd_keys_add(args):
    with command_store(args) as store:
        site = registered_site(store, args.domain).domain
        key, token = create_api_key(store, site, args.name or "")
    print(f"API key {key.key_id} created for {key.site}"
          + (f" ({key.name})" if key.name else ""))
    print(token)
    print("This token is shown only once: store it now. Send it as "
          "'Authorization: Bearer <token>'.")


def cmd_keys_list(args):
    with command_store(args) as store:
        site = registered_site(store, args.site).domain if args.site else None
        keys = list_api_keys(store, site)
    if not keys:
        print("no API keys yet: vigie keys add DOMAIN")
    for key in keys:
        print(f"{key.key_id}\t{key.site}\t{key.created_at:%Y-%m-%d %H:%M}\t{key.name}")


def cmd_keys_revoke(args):
    key_id = (args.key_id or "").strip().lower()
    if key_id.startswith("vk_"):
        # A whole token pasted by mistake: the id is its second part; the
        # secret is not echoed back.
        key_id = key_id.split("_")[1] if key_id.count("_") >= 2 else key_id
    with command_store(args) as store:
        try:
            revoke_api_key(store, key_id)
        except ApiKeyError as exc:
            raise CommandError(f"{exc} (see: vigie keys list)") from None
    print(f"API key {key_id} revoked; requests with it now get 401")


def register(commands):
    keys = _command(commands, "keys", "API keys for the server-side event API").add_subparsers(
        dest="keys_command", metavar="COMMAND", required=True)
    add = _command(keys, "add", "create an API key for a site and print its token once")
    add.add_argument("domain", help="a registered site, e.g. shop.example.com")
    add.add_argument("--name", help="what the key is for, e.g. 'billing backend' (shown in lists)")
    add.set_defaults(func=cmd_keys_add)
    listing = _command(keys, "list", "list active API keys (ids, never tokens)")
    listing.add_argument("--site", metavar="DOMAIN", help="only the keys of this site")
    listing.set_defaults(func=cmd_keys_list)
    revoke = _command(keys, "revoke", "revoke an API key at once")
    revoke.add_argument("key_id", metavar="KEY_ID", help="the key id shown by 'vigie keys list'")
    revoke.set_defaults(func=cmd_keys_revoke)
