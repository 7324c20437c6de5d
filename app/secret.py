"""The development secret key: made once into the instance folder, then read by every later start."""
import os
import secrets

FILENAME = "secret_key"


def write_private(path, text, replace=False):
    """Write a file of mode 0600 in one step, so that no reader sees half of it. Several processes may do it at
    once: without `replace` the first file linked into place wins and the others' candidates are dropped."""
    candidate = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    if replace:
        os.replace(candidate, path)
        return
    try:
        os.link(candidate, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(candidate)


def instance_secret(instance_path):
    """The secret in instance_path/secret_key, made (random, mode 0600) when missing, once between processes
    starting together (write_private)."""
    os.makedirs(instance_path, exist_ok=True)
    path = os.path.join(instance_path, FILENAME)
    if not os.path.exists(path):
        write_private(path, secrets.token_urlsafe(48))
    with open(path, encoding="ascii") as handle:
        secret = handle.read().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} holds no usable secret: delete it to have a new one made (this signs "
                           "everyone out)")
    return secret
