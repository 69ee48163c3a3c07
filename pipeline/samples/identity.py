"""Synthetic people and the identifiers they carry, with the real check digits.

The checking stages validate ID numbers, bank cards, IBANs and VINs by their check
digits, so sample identifiers must pass the same arithmetic real ones do. Every
value here is invented; region codes, bank prefixes and names are merely plausible.
"""
from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta

# --- check digits -------------------------------------------------------------------

_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def cn_id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a mainland resident ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"a resident ID body is 17 digits, got {first17!r}")
    total = sum(int(d) * w for d, w in zip(first17, _CN_ID_WEIGHTS))
    return "10X98765432"[total % 11]


def cn_id_valid(number: str) -> bool:
    number = number.strip().upper()
    return len(number) == 18 and number[:17].isdigit() and cn_id_check_digit(number[:17]) == number[17]


def luhn_check_digit(body: str) -> str:
    """The digit that makes ``body + digit`` pass the Luhn test (bank cards)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    digits = number.replace(" ", "")
    return digits.isdigit() and len(digits) > 1 and luhn_check_digit(digits[:-1]) == digits[-1]


def _iban_numeric(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text))


def make_iban(country: str, bban: str) -> str:
    check = 98 - _iban_numeric(bban + country + "00") % 97
    return f"{country}{check:02d}{bban}"


def iban_valid(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    return len(s) > 4 and s[:2].isalpha() and _iban_numeric(s[4:] + s[:4]) % 97 == 1


def routing_number(rng: random.Random) -> str:
    """A nine-digit US ABA routing number whose weighted checksum is 0 mod 10."""
    body = [rng.randint(0, 9) for _ in range(8)]
    body[0] = rng.choice([0, 1, 2, 3])
    partial = 3 * (body[0] + body[3] + body[6]) + 7 * (body[1] + body[4] + body[7]) + (body[2] + body[5])
    return "".join(map(str, body)) + str((10 - partial % 10) % 10)


_VIN_VALUES = {**{str(d): d for d in range(10)},
               **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9,
               **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def make_vin(rng: random.Random, wmi: str) -> str:
    chars = list(wmi + "".join(rng.choice(_VIN_CHARS) for _ in range(5)) + "0"
                 + rng.choice("LMNPRS") + "".join(rng.choice(_VIN_CHARS) for _ in range(7)))
    total = sum(_VIN_VALUES[c] * w for c, w in zip(chars, _VIN_WEIGHTS))
    chars[8] = "X" if total % 11 == 10 else str(total % 11)
    return "".join(chars)


# --- people -------------------------------------------------------------------------

CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢"
CN_GIVEN_MALE = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "浩然", "宇轩",
                 "思远", "志强", "建华", "国栋", "文博", "俊杰", "子豪", "海涛", "晓东", "立新", "振宇", "家乐"]
CN_GIVEN_FEMALE = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "秀兰", "欣怡", "子涵", "雨桐",
                   "梦瑶", "佳怡", "晓燕", "丽华", "婷婷", "雪梅", "慧敏", "玉兰", "思琪", "诗涵", "美玲", "春梅"]

# (six-digit region code, address prefix, plate prefix)
CN_REGIONS = [
    ("110101", "北京市东城区", "京A"), ("110105", "北京市朝阳区", "京N"), ("310104", "上海市徐汇区", "沪A"),
    ("310115", "上海市浦东新区", "沪B"), ("440305", "广东省深圳市南山区", "粤B"), ("440106", "广东省广州市天河区", "粤A"),
    ("330106", "浙江省杭州市西湖区", "浙A"), ("510107", "四川省成都市武侯区", "川A"), ("420106", "湖北省武汉市武昌区", "鄂A"),
    ("320106", "江苏省南京市鼓楼区", "苏A"), ("370202", "山东省青岛市市南区", "鲁B"), ("610113", "陕西省西安市雁塔区", "陕A"),
]
CN_STREETS = ["建国路", "中山路", "人民路", "解放大道", "长安街", "南京西路", "天府大道", "文三路", "科技园南路",
              "珠江新城华夏路", "和平里东街", "青年路", "朝阳北路", "学院路"]
CN_ETHNICITIES = ["汉", "汉", "汉", "汉", "汉", "回", "满", "壮"]

EN_FIRST_MALE = ["James", "Oliver", "William", "Thomas", "Daniel", "Michael", "David", "George", "Samuel", "Robert",
                 "Ethan", "Benjamin", "Joseph", "Christopher", "Matthew", "Andrew", "Ryan", "Liam", "Noah", "Henry"]
EN_FIRST_FEMALE = ["Emily", "Olivia", "Sophie", "Charlotte", "Jessica", "Hannah", "Grace", "Sarah", "Emma", "Amelia",
                   "Laura", "Rachel", "Megan", "Lucy", "Chloe", "Isabella", "Natalie", "Rebecca", "Eleanor", "Alice"]
EN_SURNAMES = ["Smith", "Johnson", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson", "Thomas", "Roberts",
               "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood",
               "Harris", "Clarke", "Jackson", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris", "Bennett",
               "Carter", "Mitchell", "Patel", "Khan", "O'Connor", "Murphy", "Kelly", "Fletcher", "Griffiths", "Baker"]

UK_TOWNS = [("Leeds", "LS6 2AB"), ("Manchester", "M14 5TQ"), ("Bristol", "BS7 8HP"), ("Reading", "RG1 4QD"),
            ("Sheffield", "S10 2FN"), ("Norwich", "NR2 3LJ"), ("York", "YO10 5DD"), ("Cardiff", "CF24 4HQ")]
US_TOWNS = [("Springfield", "IL", "62704"), ("Columbus", "OH", "43215"), ("Austin", "TX", "78704"),
            ("Portland", "OR", "97205"), ("Raleigh", "NC", "27605"), ("Madison", "WI", "53703")]
EN_STREETS = ["Elm Grove", "Oak Street", "Victoria Road", "Church Lane", "Maple Avenue", "Station Road",
              "Park Drive", "Mill Lane", "Highfield Road", "Cedar Court", "Kingsway", "Riverside Walk"]


@dataclass(frozen=True)
class Person:
    name: str
    sex: str  # "Male" | "Female"
    birth: date
    id_number: str
    address: str
    phone: str
    email: str
    region: str  # "cn", "uk" or "us": decides plates, banks, number formats
    city: str
    district: str = ""
    plate_prefix: str = ""


def _pinyin_handle(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 9))) + str(rng.randint(1, 999))


def make_person(rng: random.Random, region: str, today: date) -> Person:
    sex = rng.choice(["Male", "Female"])
    birth = today - timedelta(days=rng.randint(20 * 365, 72 * 365))
    if region == "cn":
        code, addr_prefix, plate_prefix = rng.choice(CN_REGIONS)
        given = rng.choice(CN_GIVEN_MALE if sex == "Male" else CN_GIVEN_FEMALE)
        name = rng.choice(CN_SURNAMES) + given
        seq = rng.randint(0, 99) * 10 + rng.choice([1, 3, 5, 7, 9] if sex == "Male" else [0, 2, 4, 6, 8])
        body = f"{code}{birth:%Y%m%d}{seq:03d}"
        address = f"{addr_prefix}{rng.choice(CN_STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
        phone = rng.choice(["138", "139", "186", "135", "150", "177", "189"]) + f"{rng.randint(0, 99999999):08d}"
        city = addr_prefix.split("省")[-1].split("市")[0] + "市"
        district = addr_prefix.split("市", 1)[1]
        return Person(name, sex, birth, body + cn_id_check_digit(body), address, phone,
                      f"{_pinyin_handle(rng)}@{rng.choice(['163.com', 'qq.com', '126.com'])}", region, city, district,
                      plate_prefix)
    first = rng.choice(EN_FIRST_MALE if sex == "Male" else EN_FIRST_FEMALE)
    name = f"{first} {rng.choice(EN_SURNAMES)}"
    if region == "uk":
        town, postcode = rng.choice(UK_TOWNS)
        address = f"{rng.randint(1, 180)} {rng.choice(EN_STREETS)}, {town} {postcode}"
        id_number = "".join(rng.choice("ABCEGHJKLMNPRSTWXYZ") for _ in range(2)) + f"{rng.randint(0, 999999):06d}" + rng.choice("ABCD")
        phone = f"07{rng.randint(100, 999)} {rng.randint(100000, 999999)}"
    else:
        town, state, zipcode = rng.choice(US_TOWNS)
        address = f"{rng.randint(100, 9999)} {rng.choice(EN_STREETS)}, {town}, {state} {zipcode}"
        id_number = rng.choice("ABCDFGHKMPRSTW") + f"{rng.randint(0, 99999999):08d}"
        phone = f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"
    email = f"{first.lower()}.{name.split()[-1].lower().replace(chr(39), '')}{rng.randint(1, 99)}@{rng.choice(['gmail.com', 'outlook.com', 'yahoo.com'])}"
    return Person(name, sex, birth, id_number, address, phone, email, region, town)


def other_person(rng: random.Random, person: Person, today: date) -> Person:
    """A clearly different person from the same region (for planted name mismatches)."""
    while True:
        other = make_person(rng, person.region, today)
        if other.name.split()[-1] != person.name.split()[-1] and other.name[0] != person.name[0]:
            return other


# --- things people own ---------------------------------------------------------------

def make_plate(rng: random.Random, person: Person) -> str:
    """Printed form of a number plate (normalise by upper-casing and removing spaces and dots)."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    if person.region == "cn":
        tail = "".join(rng.choice("0123456789" + letters[:10]) if i in (1, 2) else str(rng.randint(0, 9)) for i in range(5))
        return person.plate_prefix + ("·" if rng.random() < 0.3 else "") + tail
    if person.region == "uk":
        return (rng.choice(letters) + rng.choice(letters) + f"{rng.choice([17, 18, 19, 20, 21, 22, 23, 67, 68, 69, 70, 71, 72])}"
                + " " + "".join(rng.choice(letters) for _ in range(3)))
    return f"{rng.randint(1, 9)}{''.join(rng.choice(letters) for _ in range(3))}{rng.randint(0, 999):03d}"


CN_BANKS = [("中国工商银行", "622202"), ("中国建设银行", "621700"), ("招商银行", "622588"),
            ("中国银行", "621661"), ("中国农业银行", "622848"), ("交通银行", "622262")]
UK_BANKS = [("NatWest", "NWBK", "60"), ("Barclays Bank UK", "BUKB", "20"), ("HSBC UK", "HBUK", "40"),
            ("Lloyds Bank", "LOYD", "30")]
US_BANKS = ["JPMorgan Chase Bank", "Bank of America", "Wells Fargo Bank", "Citibank", "U.S. Bank"]


@dataclass(frozen=True)
class BankAccount:
    bank_name: str
    account_number: str  # normalised: no spaces
    printed_number: str  # as a bank letter would print it
    extra: dict  # sort code, routing number, SWIFT, branch


def make_bank_account(rng: random.Random, person: Person) -> BankAccount:
    if person.region == "cn":
        bank, bin_ = rng.choice(CN_BANKS)
        length = rng.choice([16, 19])
        body = bin_ + "".join(str(rng.randint(0, 9)) for _ in range(length - len(bin_) - 1))
        number = body + luhn_check_digit(body)
        printed = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
        branch = f"{bank}{person.address[:3]}{rng.choice(['分行营业部', '支行', '科技园支行', '中关村支行'])}"
        return BankAccount(bank, number, printed, {"branch": branch})
    if person.region == "uk":
        bank, code, sort_prefix = rng.choice(UK_BANKS)
        sort = sort_prefix + f"{rng.randint(0, 9999):04d}"
        account = f"{rng.randint(0, 99999999):08d}"
        iban = make_iban("GB", code + sort + account)
        printed = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return BankAccount(bank, iban, printed, {"sort_code": f"{sort[:2]}-{sort[2:4]}-{sort[4:]}",
                                                 "account": account, "swift": code + "GB2L"})
    bank = rng.choice(US_BANKS)
    account = "".join(str(rng.randint(0, 9)) for _ in range(rng.choice([10, 12])))
    return BankAccount(bank, account, account, {"routing": routing_number(rng)})
