"""Seeded synthetic demo data, every value fictitious and labelled so.

`establishments` draws the demo ecosystem (its calibration: docs/demo-calibration.md); `skills`,
`indicators` and `event` draw the topic demos on top of it; `names` builds fictitious company names.
"""

from dashboard.demo.establishments import DEMO_SOURCE_NAME, ESTABLISHMENT_COLUMNS, DemoData, generate_demo

__all__ = ["DEMO_SOURCE_NAME", "ESTABLISHMENT_COLUMNS", "DemoData", "generate_demo"]
