"""Fixtures of the NetSuite adapter tests: the stand-in and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ez_pipelines.sandbox.netsuite.standin import NetSuiteStandIn
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import NetSuiteSettings
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from tests.vendors.netsuite.support import TIMEOUT, settings_for, standin_of


@pytest.fixture
def netsuite_settings(sandbox: BackgroundServer) -> NetSuiteSettings:
    return settings_for(sandbox)


@pytest.fixture
def netsuite(sandbox: BackgroundServer) -> NetSuiteStandIn:
    return standin_of(sandbox)


@pytest.fixture
def client(netsuite_settings: NetSuiteSettings) -> Iterator[NetSuiteClient]:
    with NetSuiteClient(netsuite_settings, timeout=TIMEOUT) as netsuite_client:
        yield netsuite_client
