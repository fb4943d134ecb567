"""Passwords people choose most often, refused as new passwords (security checklist AUTH-05).

A short list of our own, of the forms that fill the top of every published breach list
(NCSC's top 100k, SecLists): only entries of at least MIN_LENGTH characters matter, as shorter
ones are refused anyway. It is compared case-insensitively, and a password that is the site's
or the person's own e-mail address is refused as well (see passwords.password_problem).
"""

from __future__ import annotations

COMMON = frozenset(
    """
    password password1 password12 password123 password1234 passw0rd p@ssword p@ssw0rd
    12345678 123456789 1234567890 12341234 11111111 00000000 87654321 12344321 11223344
    123123123 123456123 1234qwer qwerty123 qwertyui qwertyuiop qwerty12 qwerty1234 1q2w3e4r
    1q2w3e4r5t 1qaz2wsx zaq12wsx asdfghjkl asdfasdf zxcvbnm123 abcd1234 abc12345 abcdefgh
    iloveyou iloveyou1 sunshine princess football baseball basketball superman batman123
    starwars trustno1 welcome1 welcome123 letmein1 letmein123 admin123 administrator
    changeme changeme1 monkey123 dragon123 master123 michael1 jennifer computer internet
    whatever freedom1 shadow12 mustang1 liverpool chelsea1 arsenal1 manchester
    qazwsxedc q1w2e3r4 q1w2e3r4t5 a1b2c3d4 aa123456 asd12345 1234abcd test1234 testing123
    secret123 summer2024 summer2025 summer2026 winter2024 winter2025 winter2026
    spring2025 spring2026 autumn2025 autumn2026 december january2026 portal123 portalpass
    customer customer1 supplier company1 business 88888888 99999999 12121212 55555555
    """.split()
)


def is_common(password: str) -> bool:
    """True when `password` (any case) is on the list."""
    return password.casefold() in COMMON
