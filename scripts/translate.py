"""Fill Dutch translations into the catalogue from a small JSON file.

    .venv/bin/python scripts/translate.py new.json     # {"English msgid": "Nederlands", …}
    .venv/bin/python scripts/translate.py --missing    # list msgids without a translation

Run the extract/update commands from the README first.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "coop/translations/nl/LC_MESSAGES/messages.po"


def main(argv: list[str]) -> int:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    if argv == ["--missing"]:
        for message in catalogue:
            if message.id and (not message.string or "fuzzy" in message.flags):
                print(json.dumps(message.id))
        return 0
    translations = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    for message in catalogue:
        if message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
    with CATALOGUE.open("wb") as handle:
        write_po(handle, catalogue, width=76)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
