"""`make demo`: a month of activity through the Dagster pipeline into the vendor stand-ins."""
