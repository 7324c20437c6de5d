"""Where the master keys come from: REPORTS_KEYRING in the environment, or instance/report-keys.json.

Both hold {"current": key id, "keys": {key id: base64 key}, "pepper": base64}. Development makes the file (mode
0600) on first use; production refuses to start reports without one or the other. Keys never live in the
repository, the database or a log.
"""
import json
import os

from app.reports.crypto import Keyring, decode_key, encode_key, new_key
from app.secret import write_private

FILENAME = "report-keys.json"


def parse(text, where):
    """A Keyring from its JSON text; errors name the place and the problem, never a key."""
    try:
        found = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: not JSON ({err.msg} at line {err.lineno})") from None
    if not isinstance(found, dict) or not isinstance(found.get("keys"), dict) or not found["keys"]:
        raise ValueError(f'{where}: expected {{"current": id, "keys": {{id: base64 key}}, "pepper": base64}}')
    keys = {str(key_id): decode_key(str(text), f"{where}: keys.{key_id}") for key_id, text in found["keys"].items()}
    current = str(found.get("current"))
    if current not in keys:
        raise ValueError(f"{where}: current names no key of keys ({', '.join(sorted(keys))})")
    return Keyring(current, keys, decode_key(str(found.get("pepper", "")), f"{where}: pepper"))


def dump(keyring):
    """The JSON text of a keyring."""
    return json.dumps({"current": keyring.current, "keys": {k: encode_key(v) for k, v in keyring.keys.items()},
                       "pepper": encode_key(keyring.pepper)}, indent=2)


def fresh():
    """A new keyring with one key."""
    return Keyring("k1", {"k1": new_key()}, new_key())


def rotated(keyring):
    """The keyring with a new current key (the old ones stay, to unwrap until everything is re-wrapped)."""
    number = 1 + max((int(k[1:]) for k in keyring.keys if k[1:].isdigit()), default=0)
    key_id = f"k{number}"
    return Keyring(key_id, {**keyring.keys, key_id: new_key()}, keyring.pepper)


def retired(keyring):
    """The keyring with only its current key."""
    return Keyring(keyring.current, {keyring.current: keyring.keys[keyring.current]}, keyring.pepper)


def path_in(instance_path):
    return os.path.join(instance_path, FILENAME)


def save(path, keyring, replace=True):
    """Write the keyring file (mode 0600) in one step; with replace=False an existing file wins (several processes
    starting at once make one keyring between them)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_private(path, dump(keyring), replace=replace)


def stamp(config, instance_path):
    """What changes when the keyring does: the file's modification time (None for the environment's)."""
    if config.get("REPORTS_KEYRING"):
        return None
    try:
        return os.stat(path_in(instance_path)).st_mtime_ns
    except FileNotFoundError:
        return None


def load(config, instance_path):
    """The keyring of this installation (see the module's docstring)."""
    if config.get("REPORTS_KEYRING"):
        return parse(config["REPORTS_KEYRING"], "REPORTS_KEYRING")
    path = path_in(instance_path)
    if not os.path.exists(path):
        if config["FAIRRECRUIT_ENV"] == "production":
            raise RuntimeError(f"Worker reports need master keys: set REPORTS_KEYRING or create {path} "
                               "(`fairrecruit reports rotate-key` makes one)")
        save(path, fresh(), replace=False)
    with open(path, encoding="utf-8") as handle:
        return parse(handle.read(), path)
