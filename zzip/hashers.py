"""The password hasher: Argon2id, tuned for this site (bench/password_hashers.py measures it).

Django's own Argon2 parameters (2 passes over 100 MiB, 8 lanes) cost more CPU per sign-in
than the PBKDF2 it replaces (0.29 s against 0.24 s on a 2-core server). Two passes over
64 MiB in one lane cost 0.14 s, and still make every guess pay 64 MiB of memory, which
PBKDF2 never asks of an attacker's GPU: by OWASP's table of equivalent settings (46 MiB and
one pass ≈ PBKDF2-SHA256 at 600,000 iterations) this is stronger than Django's 1,000,000
iterations, at about half the CPU. Old PBKDF2 hashes are rehashed at the next sign-in
(Django does so when the first hasher in PASSWORD_HASHERS is not the one that made them),
and a change of these numbers rehashes the Argon2 ones the same way.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 64 * 1024  # KiB
    parallelism = 1


class OneTimePasswordHasher(PBKDF2PasswordHasher):
    """For the passwords the system makes and hands out once (an account created without one,
    500 at a time in a bulk import): 16 random characters of 67, about 97 bits, so no number
    of iterations adds to what a guess costs; each is good only until its first sign-in,
    where the person must choose their own, hashed by the first hasher above. Hashing them
    with Argon2id would cost 500 × 0.14 s of an import's minute for nothing."""

    algorithm = "pbkdf2_sha256_once"
    iterations = 10_000
