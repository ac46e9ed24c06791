"""A rental fleet of the cars common on UAE roads, each with the daily rate it rents for."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ez_pipelines.canonical.bookings import VehicleInput

# (make, model, lowest and highest daily rate in whole dirhams)
MODELS: tuple[tuple[str, str, int, int], ...] = (
    ("Nissan", "Sunny", 100, 140),
    ("Mitsubishi", "Attrage", 100, 130),
    ("Hyundai", "Accent", 110, 150),
    ("Kia", "Pegas", 100, 130),
    ("Toyota", "Yaris", 110, 160),
    ("Toyota", "Corolla", 140, 200),
    ("Hyundai", "Elantra", 140, 190),
    ("Honda", "Civic", 150, 210),
    ("Nissan", "Altima", 170, 240),
    ("Toyota", "Camry", 190, 260),
    ("MG", "ZS", 130, 180),
    ("Nissan", "Kicks", 140, 190),
    ("Kia", "Sportage", 200, 280),
    ("Hyundai", "Tucson", 200, 280),
    ("Nissan", "X-Trail", 220, 300),
    ("Mitsubishi", "Pajero", 260, 340),
    ("Toyota", "Fortuner", 300, 380),
    ("Toyota", "Land Cruiser Prado", 380, 480),
    ("Nissan", "Patrol", 450, 600),
    ("Toyota", "Land Cruiser", 500, 650),
    ("Chevrolet", "Tahoe", 480, 620),
    ("Ford", "Mustang", 420, 560),
    ("Lexus", "ES 350", 450, 600),
    ("Mercedes-Benz", "C 200", 500, 650),
    ("BMW", "520i", 550, 700),
    ("Mercedes-Benz", "E 300", 650, 800),
    ("Range Rover", "Sport", 750, 900),
)
PLATE_CODES = ("A", "B", "C", "D", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T")


@dataclass(frozen=True)
class FleetCar:
    vehicle: VehicleInput
    daily_rate_minor: int


def generate_fleet(rng: random.Random, count: int, model_year: int) -> tuple[FleetCar, ...]:
    """`count` cars with unique Dubai plates, no older than five model years."""
    plates: set[str] = set()
    fleet = []
    for number in range(1, count + 1):
        make, model, low, high = rng.choice(MODELS)
        while True:
            plate = f"DXB {rng.choice(PLATE_CODES)} {rng.randrange(10000, 100000)}"
            if plate not in plates:
                break
        plates.add(plate)
        vehicle = VehicleInput(
            id=f"V-{number:04d}",
            plate=plate,
            make=make,
            model=model,
            year=model_year - rng.randrange(0, 5),
        )
        # Rates step by five dirhams, as a price list would; stored in fils.
        rate = rng.randrange(low, high + 1, 5) * 100
        fleet.append(FleetCar(vehicle, rate))
    return tuple(fleet)
