#!/usr/bin/env python3
"""Print the table of the bundled purchasing model (data/taxonomy/purchases.csv) for docs/event.md.

Usage: python scripts/purchases_table.py   (paste between the purchases:start/end markers; a test compares them)
"""

from dashboard.analytics.purchasing import purchases_markdown
from dashboard.reference import load_reference

if __name__ == "__main__":
    ref = load_reference()
    print(purchases_markdown(ref.purchases, dict(zip(ref.capabilities["code"], ref.capabilities["label"]))))
