"""A simulated resident-ID reader for the demo, drills and benchmarks.

It produces people with valid GB 11643 numbers, addresses, and now and then a name with a
character outside the Basic Multilingual Plane, so the rest of the program meets the data
real readers return. It is what `make run` uses when no reader is attached.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

from stdnum.cn import ric

from app.identity import IdKind, PersonRead
from devices.base import DeviceHealth
from devices.id_card_sam import no_card_error

SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "欧阳", "司马", "𬌗"]
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "𠮷",
    "䶮",
    "堃",
    "昇",
    "𡒄",
]
REGIONS = [
    ("441802", "广东省清远市清城区", "清远市公安局清城分局"),
    ("110105", "北京市朝阳区", "北京市公安局朝阳分局"),
    ("510104", "四川省成都市锦江区", "成都市公安局锦江区分局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局"),
    ("530102", "云南省昆明市五华区", "昆明市公安局五华分局"),
]
STREETS = ["人民路", "解放路", "和平街", "新华村"]
ETHNICITIES = ["01", "01", "01", "02", "03", "05", "08", "11"]  # GB/T 3304 codes


def make_id_number(region: str, birth: dt.date, seq: int, sex: str) -> str:
    """17 digits with an odd sequence digit for men, even for women, then the check digit."""
    order = seq % 100 * 10 + (1 if sex == "1" else 2) + (seq // 100 % 4) * 2
    order %= 1000
    if (order % 2 == 1) != (sex == "1"):
        order = (order + 1) % 1000
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


class SimulatedIdentityReader:
    """A simulated ID card reader.

    Two behaviours, chosen at construction:

    - `invent_when_empty=True` (drills, benchmarks, tests that just need people): every read
      returns a new plausible person, or the next one `present`ed.
    - `invent_when_empty=False` (the demo counter, with the device watcher): it behaves like a
      real reader. A card put on it with `present` stays there and is read again on every
      read until `remove`; with no card a read waits its timeout and raises `NoCard`, exactly
      like the SAM and PC/SC drivers, so the watcher sees the same events from both.
    """

    name = "simulated_id_card"

    def __init__(
        self, seed: int | None = None, read_delay: float = 0.4, *, invent_when_empty: bool = True
    ) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._delay = read_delay
        self._seq = 0
        self._invent = invent_when_empty
        self._presented: list[PersonRead] = []
        self._card_placed = threading.Event()

    def present(self, person: PersonRead) -> None:
        """Put a particular card on the reader (drills, tests, the demo's "put a card")."""
        with self._lock:
            if self._invent:
                self._presented.append(person)
            else:
                self._presented[:] = [person]
                self._card_placed.set()

    def present_new_person(self) -> PersonRead:
        """Put a newly invented person's card on the reader and return who it is."""
        with self._lock:
            self._seq += 1
            person = self._person(self._rng, self._seq)
        self.present(person)
        return person

    def remove(self) -> None:
        """Take the card off the reader."""
        with self._lock:
            self._presented.clear()
            self._card_placed.clear()

    def read(self, timeout: float = 10.0) -> PersonRead:
        if not self._invent:
            if not self._card_placed.wait(timeout):
                raise no_card_error()
            if self._delay:
                time.sleep(min(self._delay, timeout))
            with self._lock:
                if not self._presented:  # removed while "reading"
                    raise no_card_error()
                return self._presented[0]
        if self._delay:
            time.sleep(min(self._delay, timeout))
        with self._lock:
            if self._presented:
                return self._presented.pop(0)
            self._seq += 1
            return self._person(self._rng, self._seq)

    @staticmethod
    def _person(rng: random.Random, seq: int) -> PersonRead:
        sex = rng.choice(["1", "2"])
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 80))
        region, place, issuer = rng.choice(REGIONS)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
        issued = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(0, 3000))
        age = (dt.date.today() - birth).days // 365
        until = "长期" if age >= 46 else f"{issued.year + 20}.{issued:%m.%d}"
        return PersonRead(
            id_kind=IdKind.RESIDENT_ID,
            id_number=make_id_number(region, birth, seq, sex),
            name=name,
            source=SimulatedIdentityReader.name,
            sex=sex,
            ethnicity=rng.choice(ETHNICITIES),
            birth_date=birth,
            address=f"{place}{rng.choice(STREETS)}{rng.randrange(1, 300)}号",
            issuer=issuer,
            valid_from=f"{issued:%Y.%m.%d}",
            valid_until=until,
        )

    def health(self) -> DeviceHealth:
        return DeviceHealth(self.name, present=True, working=True, simulated=True)
