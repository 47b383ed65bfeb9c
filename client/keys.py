"""`infraledger keys`: operator signing keys (secp256k1, as Ethereum accounts use).

A key file holds the private key as `0x` + 64 hex digits on one line, and is created with mode
0600; lines starting with `#` are comments (the demo marks its sample keys so). The key is never
printed unless asked (`--print`, to import it into a wallet); the address printed is what the
registrar registers in the OperatorRegistry.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Final

from coincurve import PrivateKey

from client.errors import BadKeyFile, bilingual, cannot_read
from client.messages import Lang, OperatorParser, option_help, say
from filings.signing import SECP256K1_N, signer_address

DEFAULT_KEY_FILE: Final = Path("operator.key")
EXIT_USAGE: Final = 2
_KEY_TEXT: Final = re.compile(r"(0x)?([0-9a-fA-F]{64})\Z")


def write_secret(path: Path, text: str) -> None:
    """Create `path` with mode 0600 holding `text` (refuses to overwrite: `FileExistsError`)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")


def load_operator_key(path: Path) -> bytes:
    """Read a key file (`0x` + 64 hex digits, surrounding whitespace and `#` lines ignored).

    Returns the 32-byte private key; raises `BadKeyFile` naming the file and the fault (never
    the file's content).
    """
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadKeyFile(cannot_read(f"tệp khóa {path}", f"the key file {path}", exc)) from exc
    text = "\n".join(line for line in text.splitlines() if not line.startswith("#")).strip()
    match = _KEY_TEXT.match(text)
    if match is None:
        raise BadKeyFile(bilingual(
            f"tệp khóa {path} không chứa khóa bí mật (cần 0x và 64 chữ số hex)",
            f"the key file {path} holds no private key (want 0x and 64 hex digits)"))
    key = bytes.fromhex(match.group(2))
    if not 0 < int.from_bytes(key, "big") < SECP256K1_N:
        raise BadKeyFile(bilingual(
            f"tệp khóa {path} chứa một số nằm ngoài miền khóa secp256k1",
            f"the key file {path} holds a number outside the secp256k1 key range"))
    return key


def register(groups: argparse._SubParsersAction[OperatorParser],
             common: argparse.ArgumentParser, lang: Lang) -> None:
    """Add `keys new`, its help in `lang`."""
    parser = groups.add_parser(
        "keys", lang=lang, common=common, help=option_help(lang, "keys"),
        description=say(lang, "keys_description"),
    )
    commands = parser.add_subparsers(dest="keys_command", metavar="COMMAND", required=True)
    new = commands.add_parser(
        "new", lang=lang, common=common, help=option_help(lang, "keys_new"),
        description=say(lang, "keys_new_description"),
    )
    new.add_argument(
        "--out", type=Path, default=DEFAULT_KEY_FILE,
        help=option_help(lang, "keys_new_out", default=DEFAULT_KEY_FILE),
    )
    new.add_argument(
        "--print", dest="print_key", action="store_true",
        help=option_help(lang, "keys_new_print"),
    )
    new.set_defaults(handler=new_key)


def new_key(args: argparse.Namespace) -> int:
    """Create the key file and print the address (and the key with `--print`)."""
    out: Path = args.out
    key = PrivateKey().secret
    try:
        write_secret(out, "0x" + key.hex())
    except FileExistsError:
        print("infraledger keys new: " + bilingual(f"{out} đã có; hãy chọn --out khác",
                                                   f"{out} exists; choose another --out"),
              file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print("infraledger keys new: " + bilingual(f"không ghi được {out}: {exc.strerror}",
                                                   f"cannot write {out}: {exc.strerror}"),
              file=sys.stderr)
        return EXIT_USAGE
    print(signer_address(key))
    if args.print_key:
        print("0x" + key.hex())
    return 0
