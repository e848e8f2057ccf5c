"""Amounts in Chinese uppercase numerals (大写金额), as finance forms, invoices and cheques write them.

The rules are the People's Bank of China's for writing amounts (《支付结算办法》 附一, 正确填写票据和结算凭证的基本规定):

- digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a group of four digits, the groups named 元, 万, 亿, 万亿;
  a leading 1 keeps its digit (壹拾, not 拾), as the rules ask, so nothing can be written in front of it;
- zeros between digits are written as one 零, however many there are (1004 → 壹仟零肆元; 1,0000,0001 →
  壹亿零壹元); zeros at the end of a group are not written (10,0000 → 壹拾万元);
- an amount ending at 元 ends with 整 (100 → 壹佰元整, 0 → 零元整); one with 分 has no 整 after it, and neither has one
  ending at 角 (the rules allow either; 10,0000.10 → 壹拾万元零壹角);
- a zero between 元 and a written 角 or 分 is written 零 (1004.06 → 壹仟零肆元零陆分; 10.50 → 壹拾元零伍角);
  an amount below one 元 starts at its 角 or 分 (0.50 → 伍角);
- a negative amount starts with 负.

Amounts are rounded half up to the 分 first. Amounts of 10^16 元 or more have no group name and are refused.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("仟", "佰", "拾", "")  # the units of a group of four digits, highest first
GROUPS = ("", "万", "亿", "万亿")  # the names of the groups of four digits, lowest first
ZERO, YUAN, JIAO, FEN, WHOLE, NEGATIVE = "零", "元", "角", "分", "整", "负"
CENT = Decimal("0.01")
LIMIT = 10 ** (4 * len(GROUPS))


def chinese_amount(value: Decimal | int | str) -> str:
    """`value` (in 元) in uppercase Chinese: 1234.5 → 壹仟贰佰叁拾肆元伍角."""
    amount = Decimal(value)
    if not amount.is_finite() or abs(amount.quantize(CENT, rounding=ROUND_HALF_UP)) >= LIMIT:
        raise ValueError(f"{value} is outside what Chinese uppercase amounts can write (below 10^16)")
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = NEGATIVE if amount < 0 else ""
    cents = int(abs(amount) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if not jiao and not fen:
        return f"{sign}{whole_yuan(yuan)}{YUAN}{WHOLE}"
    return sign + (f"{whole_yuan(yuan)}{YUAN}" if yuan else "") + fraction(yuan, jiao, fen)


def fraction(yuan: int, jiao: int, fen: int) -> str:
    """角 and 分, with the 零 that stands for a zero between them and the 元 before."""
    text = ""
    if jiao:
        text = (ZERO if yuan % 10 == 0 and yuan else "") + DIGITS[jiao] + JIAO
    elif yuan:  # 1004.06: the 角 is zero between the 元 and the 分
        text = ZERO
    return text + (DIGITS[fen] + FEN if fen else "")


def whole_yuan(yuan: int) -> str:
    """The 元 as groups of four digits, highest first, with one 零 for any run of zeros between written digits."""
    if yuan == 0:
        return ZERO
    groups = []
    while yuan:
        yuan, group = divmod(yuan, 10_000)
        groups.append(group)
    text, zero_before = "", False
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            zero_before = bool(text)
            continue
        if text and (zero_before or group < 1000):
            text += ZERO
        text += group_text(group) + GROUPS[index]
        zero_before = False
    return text


def group_text(group: int) -> str:
    """One group of up to four digits (not zero): 1004 → 壹仟零肆, 1010 → 壹仟零壹拾, 1200 → 壹仟贰佰."""
    text, zero_pending = "", False
    for digit, place in zip(f"{group:04d}", PLACES, strict=True):
        if digit == "0":
            zero_pending = bool(text)
            continue
        if zero_pending:
            text += ZERO
            zero_pending = False
        text += DIGITS[int(digit)] + place
    return text
