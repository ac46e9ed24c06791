"""Names the generated customers are made of.

Arabic names come with the Latin spellings people really use for them, first the most common,
and the name in Arabic script. Expatriate names are grouped by where a phone from home would be
registered, so a tourist's number matches their name.
"""

from __future__ import annotations

from dataclasses import dataclass

# (Latin spellings, Arabic script)
ArabicName = tuple[tuple[str, ...], str]

ARABIC_MALE: tuple[ArabicName, ...] = (
    (("Mohammed", "Muhammad", "Mohamed", "Mohammad"), "محمد"),
    (("Ahmed", "Ahmad"), "أحمد"),
    (("Abdul Rahman", "Abdulrahman", "Abdelrahman"), "عبد الرحمن"),
    (("Abdullah", "Abdallah"), "عبدالله"),
    (("Khalid", "Khaled"), "خالد"),
    (("Omar", "Umar"), "عمر"),
    (("Youssef", "Yousef", "Yusuf"), "يوسف"),
    (("Hassan",), "حسن"),
    (("Hussein", "Hussain", "Husain"), "حسين"),
    (("Ali",), "علي"),
    (("Saeed", "Said"), "سعيد"),
    (("Rashid", "Rashed"), "راشد"),
    (("Sultan",), "سلطان"),
    (("Hamad",), "حمد"),
    (("Majid", "Majed"), "ماجد"),
    (("Faisal", "Faysal"), "فيصل"),
    (("Tariq", "Tareq"), "طارق"),
    (("Ibrahim", "Ebrahim"), "إبراهيم"),
    (("Saif",), "سيف"),
    (("Mansour", "Mansoor"), "منصور"),
    (("Hamdan",), "حمدان"),
    (("Obaid", "Obaidullah"), "عبيد"),
)

ARABIC_FEMALE: tuple[ArabicName, ...] = (
    (("Fatima", "Fatma", "Fatimah"), "فاطمة"),
    (("Aisha", "Aysha", "Ayesha"), "عائشة"),
    (("Mariam", "Maryam"), "مريم"),
    (("Noura", "Noora", "Nora"), "نورة"),
    (("Sara", "Sarah"), "سارة"),
    (("Hessa", "Hissa"), "حصة"),
    (("Shamma",), "شما"),
    (("Latifa", "Latifah"), "لطيفة"),
    (("Amna",), "آمنة"),
    (("Reem",), "ريم"),
    (("Layla", "Leila", "Laila"), "ليلى"),
    (("Huda", "Hoda"), "هدى"),
    (("Mona", "Muna"), "منى"),
    (("Salama",), "سلامة"),
)

ARABIC_FAMILY: tuple[ArabicName, ...] = (
    (("Al-Mansouri", "Al Mansouri", "Almansouri"), "المنصوري"),
    (("Al-Hashimi", "Al Hashemi", "Alhashimi"), "الهاشمي"),
    (("Al-Falasi", "Al Falasi"), "الفلاسي"),
    (("Al-Nuaimi", "Al Nuaimi", "Al Naimi"), "النعيمي"),
    (("Al-Suwaidi", "Al Suwaidi"), "السويدي"),
    (("Al-Shamsi", "Al Shamsi"), "الشامسي"),
    (("Al-Kaabi", "Al Kaabi", "Alkaabi"), "الكعبي"),
    (("Al-Mazrouei", "Al Mazrouei", "Al Mazroui"), "المزروعي"),
    (("Al-Dhaheri", "Al Dhaheri", "Al Daheri"), "الظاهري"),
    (("Al-Marri", "Al Marri"), "المري"),
    (("Al-Hammadi", "Al Hammadi"), "الحمادي"),
    (("Al-Zaabi", "Al Zaabi"), "الزعابي"),
    (("Haddad",), "حداد"),
    (("Khoury", "Khouri"), "خوري"),
    (("Saleh", "Salih"), "صالح"),
    (("Nasser", "Nasir"), "ناصر"),
    (("El-Sayed", "Elsayed", "El Sayed"), "السيد"),
    (("Abdel Aziz", "Abdelaziz", "Abdulaziz"), "عبد العزيز"),
    (("Mahmoud", "Mahmood"), "محمود"),
)


@dataclass(frozen=True)
class Origin:
    """Where an expatriate or a tourist comes from, and what a phone from there looks like."""

    country: str
    weight: int
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    dial_code: str
    mobile_prefixes: tuple[str, ...]
    subscriber_digits: int


EXPAT_ORIGINS: tuple[Origin, ...] = (
    Origin(
        "IN",
        16,
        ("Rahul", "Arjun", "Vikram", "Suresh", "Rohan", "Anil", "Mohammed Rafiq"),
        ("Priya", "Anjali", "Deepa", "Lakshmi", "Neha", "Kavya"),
        ("Sharma", "Nair", "Patel", "Menon", "Iyer", "Reddy", "Pillai", "Gupta", "Kumar"),
        "+91",
        ("98", "99", "97", "96", "90", "81", "70"),
        8,
    ),
    Origin(
        "PK",
        7,
        ("Imran", "Bilal", "Usman", "Hamza", "Asad"),
        ("Sana", "Zainab", "Hira", "Mahnoor"),
        ("Khan", "Malik", "Qureshi", "Butt", "Chaudhry", "Siddiqui"),
        "+92",
        ("300", "301", "321", "333", "345"),
        7,
    ),
    Origin(
        "PH",
        6,
        ("Jose", "Mark", "John Paul", "Carlo"),
        ("Maria", "Angelica", "Kristine", "Joy"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Dela Cruz"),
        "+63",
        ("917", "918", "927", "995"),
        7,
    ),
    Origin(
        "GB",
        8,
        ("James", "Oliver", "Thomas", "Daniel", "Jack"),
        ("Emma", "Charlotte", "Sophie", "Hannah", "Chloe"),
        ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "O'Brien", "Walker", "Clarke"),
        "+44",
        ("7400", "7500", "7800", "7900"),
        6,
    ),
    Origin(
        "RU",
        4,
        ("Dmitry", "Sergei", "Alexei", "Ivan"),
        ("Olga", "Anna", "Natalia", "Ekaterina"),
        ("Ivanov", "Smirnov", "Petrov", "Volkov", "Sokolov"),
        "+7",
        ("916", "926", "903", "985"),
        7,
    ),
    Origin(
        "DE",
        3,
        ("Lukas", "Felix", "Jonas", "Maximilian"),
        ("Lena", "Laura", "Sophie", "Mia"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker"),
        "+49",
        ("151", "160", "170", "176"),
        8,
    ),
)

# Visitors from across the Gulf carry Arabic names and a home number.
GULF_VISITOR = Origin("SA", 0, (), (), (), "+966", ("50", "53", "54", "55", "56", "59"), 7)

UAE_MOBILE_PREFIXES = ("50", "52", "54", "55", "56", "58")

EMAIL_DOMAINS = (
    "gmail.example",
    "hotmail.example",
    "outlook.example",
    "yahoo.example",
    "icloud.example",
    "emirates.example",
)

LOYALTY_TIERS = ("standard", "silver", "gold", "platinum")
