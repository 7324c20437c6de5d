"""The development secret key: made once into the instance folder, then read by every later start."""
import os
import secrets

FILENAME = "secret_key"


def instance_secret(instance_path):
    """The secret in instance_path/secret_key, made (random, mode 0600) when missing.

    Several processes may start at once: each writes its own candidate to a private temporary file and links
    it into place; the link fails for all but the first, and the others read the winner's.
    """
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, FILENAME)
    if not os.path.exists(path):
        candidate = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(candidate)
    with open(path, encoding="ascii") as handle:
        secret = handle.read().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} holds no usable secret: delete it to have a new one made (this signs "
                           "everyone out)")
    return secret
