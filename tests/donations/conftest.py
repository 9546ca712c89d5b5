"""Donation tests use the payment fixtures: the fake Mollie and an app talking to it."""

from tests.payments.conftest import app, deliver, fake, treasurer  # noqa: F401
