"""Stored password forms of other mail systems, accepted from an import or a restore, verified at login.

Where each vector comes from (all hash the password `Migrate-me 2026`):
- `{SCHEME}...` lines: Dovecot 2.3.19's own tool, `doveadm pw -s SCHEME -p 'Migrate-me 2026'`
  (Debian bookworm's dovecot-core), exactly as it printed them.
- bare `$6$`/`$5$`/`$1$` and the 13-character DES string: glibc's crypt(3) (Python's crypt module,
  the reference implementation every Linux mail system calls), salts chosen as PostfixAdmin and
  iRedMail write them.
- bare `$2b$`: the bcrypt package (OpenBSD's reference code); `$2y$`: doveadm's BLF-CRYPT.
- bare `$argon2id$`: argon2-cffi (the reference C implementation of the PHC winner).
- CommuniGate's U-crpt: its account.settings keep the crypt(3) string after a \\001 byte."""

from __future__ import annotations

import pytest

from accounts.hashers import foreign_scheme, is_encoded_password, verify_stored
from accounts.models import Account
from accounts.services import account_create, accounts_import_csv
from realms.auth import check_login

pytestmark = pytest.mark.django_db
PASSWORD = "Migrate-me 2026"
VECTORS = {
    "SHA512-CRYPT": "{SHA512-CRYPT}$6$pKSbCUKZV45lQAyH$acjp/iAUsgAc1iG82OVHA8KaJDo6sBKFMrXs3BTelQYXElGU8GW89QmPtE402UX6"
                    "kaULCFILQo/82g.CJuxCu.",
    "SHA256-CRYPT": "{SHA256-CRYPT}$5$QdLxtzCZkY1PHzul$mgS9O59Ze74Vg8ZimhWb7BzVv1vWYmG/X7kv5aQyo2/",
    "BLF-CRYPT": "{BLF-CRYPT}$2y$05$PSC4P/XXu9TNrA46eKakgOrB.4MBxDqdB.afD2Jvs7KL60Oyq3HOS",
    "ARGON2ID": "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$ONmSoxA6rP3D/9lhppBrgQ$"
                "jRG9ce5QNFgBQJ9Otjd8mdIXlrMFt7+TqpHw/k/uGVE",
    "ARGON2I": "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$/e917+eoYBjJ47WiuH3qfQ$"
               "ck7X+btsrTBF2Tp9FIk0buJ0/sElEpjhS8qrI2x16Zg",
    "SSHA512": "{SSHA512}sgWeEF7IRr6n86qUR01mWmyD5fmViw7FpEodTB9Kd2qvsNCvdhri+santp0qFYw6Bp7FKOIvh6JRyoM+"
               "HoKYwydp9U0=",
    "SSHA256": "{SSHA256}MpAgfo0mMZwJ2L2P+j0IbdJ25c1zwVjqbWX8OIgNmuuznE7v",
    "SSHA": "{SSHA}VeOpXgGFmoBuhnEiiLnwAlr+VDULIgBZ",
    "PLAIN": "{PLAIN}Migrate-me 2026",
    "CRYPT": "{CRYPT}$2y$05$HrHwJl55mOYmtmYbhQORFOCudjjC/Cgv0UYk1evJRr3m9qE7dNeGu",
    "bare $6$": "$6$rounds=5000$iRedMailSalt0001$WeuC085J69cWDR2gbYo.F8DIQNGOkVTyUy/vg7IoCrUM7unijMQZeHFeU5MxVKHEtI"
                "SFYQ8"
                "joLn2O6iwsO3t..",
    "bare $5$": "$5$PostfixAdmSalt01$4jrnbM2/D4x/tY7P4gAioXkeMCxt8X3Gt91aPz0mRL6",
    "bare $2b$": "$2b$05$Hm5bBYU5Oqj9aIbixLCWQuxrfFlX5cTo1FBZGFWXyTlKfGQxCYa3S",
    "bare $2y$": "$2y$05$/Oz2FTnKCHFQYeJKnLMoR.aCMhMVpVWG8SSjEyaSbxIMyL9CckM.e",
    "bare $argon2id$": "$argon2id$v=19$m=19456,t=2,p=1$IfOLNGsBN1W/VGbNnVWhGA$"
                       "S5sh5yW33XGDnCeRQnuGm5g8siHTP6pqLRPo7Ynbqvw",
    "U-crpt DES": "\x01cgQALiLPqrN6c",
    "U-crpt MD5": "\x01$1$cgpro001$hZ45JOyGRdcQgWxQXqYNY1",
}


@pytest.mark.parametrize("stored", VECTORS.values(), ids=VECTORS.keys())
def test_each_vector_verifies_the_right_password_only(stored):
    assert foreign_scheme(stored) is not None and is_encoded_password(stored)
    assert verify_stored(PASSWORD, stored)
    assert not verify_stored("migrate-me 2026", stored)
    assert not verify_stored("", stored)


@pytest.mark.parametrize("stored", VECTORS.values(), ids=VECTORS.keys())
def test_an_import_keeps_the_form_and_the_first_login_upgrades_it(client1, stored):
    cell = '"' + stored.replace('"', '""') + '"'  # U-crpt's \001 byte travels as it is
    report = accounts_import_csv(actor=None, domain=client1, text=f"Name,Password\njane,{cell}\n")

    assert report.created == 1, report.errors
    assert Account.objects.get(name="jane").password == stored
    assert check_login("jane@client1.test", "wrong", address="192.0.2.3") is None
    assert check_login("jane@client1.test", PASSWORD, address="192.0.2.3") is not None
    upgraded = Account.objects.get(name="jane").password
    assert upgraded != stored and foreign_scheme(upgraded) is None
    assert check_login("jane@client1.test", PASSWORD, address="192.0.2.3") is not None


def test_a_malformed_foreign_form_is_a_bad_line_naming_the_scheme(client1):
    report = accounts_import_csv(actor=None, domain=client1, text="Name,Password\njane,{SSHA512}bm90LWEtaGFzaA\n")

    assert report.created == 0
    assert "SSHA512" in report.errors[0][1]
    assert not Account.objects.filter(name="jane").exists()


def test_a_typed_foreign_form_is_only_text(client1):
    account = account_create(actor=None, domain=client1, name="jane", password=VECTORS["SSHA"])

    assert account.password != VECTORS["SSHA"]
    assert not account.check_password(PASSWORD)
    assert account.check_password(VECTORS["SSHA"])
