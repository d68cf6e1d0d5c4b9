"""Money units: how many 元 one unit is, the one place the 元 / 万元 / 亿元 factors are written.

>>> YUAN_PER["万元"], WAN
(10000.0, 10000.0)
>>> 31_000_000 / WAN  # 3,100万元
3100.0
"""

#: 元 per unit.
YUAN_PER = {"元": 1.0, "万元": 10_000.0, "亿元": 100_000_000.0}
#: 元 per 万元, the unit most published figures use.
WAN = YUAN_PER["万元"]
