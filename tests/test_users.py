"""Accounts: roles, the sites a non-admin may see, and what each role may open."""
import pytest

from vigie.warehouse.sites import add_site, list_sites
from vigie.warehouse.users import UserError, add_user, authenticate, get_user, list_users, set_access

PASSWORD = "correct horse battery"


def test_roles_and_sites_are_stored_and_read_back(store):
    add_user(store, "root@shop.example", PASSWORD, is_admin=True)
    add_user(store, "mia@shop.example", PASSWORD, role="marketer", sites=["a.example", "A.example "])
    add_user(store, "rex@shop.example", PASSWORD, role="retention", sites=["b.example"])
    users = {u.email: u for u in list_users(store)}
    assert (users["root@shop.example"].role, users["root@shop.example"].is_admin) == ("admin", True)
    assert (users["mia@shop.example"].role, users["mia@shop.example"].sites) == ("marketer", ("a.example",))
    assert (users["rex@shop.example"].role, users["rex@shop.example"].is_admin) == ("retention", False)


def test_what_each_role_may_open(store):
    admin = add_user(store, "root@shop.example", PASSWORD, role="admin")
    marketer = add_user(store, "mia@shop.example", PASSWORD, sites=["a.example"])
    retention = add_user(store, "rex@shop.example", PASSWORD, role="retention", sites=["a.example"])
    assert [a for a in ("analytics", "churn", "settings") if admin.can(a)] == ["analytics", "churn", "settings"]
    assert [a for a in ("analytics", "churn", "settings") if marketer.can(a)] == ["analytics"]
    assert [a for a in ("analytics", "churn", "settings") if retention.can(a)] == ["churn"]
    assert admin.can_see_site("z.example")
    assert marketer.can_see_site("a.example") and not marketer.can_see_site("b.example")


def test_visible_sites_keep_the_registry_order(store):
    for domain in ("a.example", "b.example", "c.example"):
        add_site(store, domain)
    mia = add_user(store, "mia@shop.example", PASSWORD, sites=["c.example", "a.example"])
    assert [s.domain for s in mia.visible_sites(list_sites(store))] == ["a.example", "c.example"]


def test_a_password_reset_keeps_role_and_sites(store):
    add_user(store, "mia@shop.example", PASSWORD, role="retention", sites=["a.example"])
    add_user(store, "mia@shop.example", "another long password")
    mia = authenticate(store, "mia@shop.example", "another long password")
    assert (mia.role, mia.sites) == ("retention", ("a.example",))


def test_changing_access_keeps_the_password_and_ends_sessions(store):
    before = add_user(store, "mia@shop.example", PASSWORD, sites=["a.example"])
    after = set_access(store, "mia@shop.example", sites=["b.example"])
    assert after.credential_version != before.credential_version
    mia = authenticate(store, "mia@shop.example", PASSWORD)
    assert (mia.role, mia.sites) == ("marketer", ("b.example",))


def test_rows_from_before_roles_read_as_admin_or_marketer(store):
    import datetime
    now = datetime.datetime.now(datetime.timezone.utc)
    store.insert("users", ["email", "password_hash", "is_admin", "created_at", "version", "deleted"],
                 [("old-admin@shop.example", "x", 1, now, 1, 0), ("old@shop.example", "x", 0, now, 1, 0)])
    assert get_user(store, "old-admin@shop.example").role == "admin"
    old = get_user(store, "old@shop.example")
    assert (old.role, old.sites, old.is_admin) == ("marketer", (), False)


@pytest.mark.parametrize("call, message", [
    (lambda s: add_user(s, "mia@shop.example", PASSWORD, role="owner"), "unknown role 'owner'"),
    (lambda s: set_access(s, "nobody@shop.example", role="marketer"), "no account 'nobody@shop.example'"),
    (lambda s: add_user(s, "not-an-email", PASSWORD), "is not an email address"),
])
def test_bad_accounts_are_refused_with_a_reason(store, call, message):
    with pytest.raises(UserError, match=message):
        call(store)


def password_derivations(call):
    """How many scrypt key derivations `call` runs (counted by the interpreter's profiler)."""
    import hashlib
    import sys
    runs = []

    def profile(frame, event, arg):
        if event == "c_call" and arg is hashlib.scrypt:
            runs.append(arg)
    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return len(runs)


def test_an_unknown_email_costs_one_password_check_like_a_known_one(store):
    from vigie.warehouse.users import _stand_in_hash, prepare_password_checks
    add_user(store, "mia@shop.example", PASSWORD)
    prepare_password_checks()  # as the dashboard does when it starts
    known = password_derivations(lambda: authenticate(store, "mia@shop.example", "wrong one!"))
    unknown = password_derivations(lambda: authenticate(store, "nobody@shop.example", "wrong one!"))
    assert known == unknown == 1
    stored = store.query_value("SELECT password_hash FROM users FINAL")
    assert _stand_in_hash().split("$")[0] == stored.split("$")[0]  # same method and cost


def test_removing_an_account_ends_it(store):
    from vigie.warehouse.users import remove_user
    add_user(store, "mia@shop.example", PASSWORD)
    remove_user(store, "Mia@shop.example ")
    assert get_user(store, "mia@shop.example") is None
    assert authenticate(store, "mia@shop.example", PASSWORD) is None
    with pytest.raises(UserError, match="no account"):
        remove_user(store, "mia@shop.example")
