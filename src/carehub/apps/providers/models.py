"""The provider network: ECM, Community Supports and other providers, their sites and capacity."""

from __future__ import annotations

from django.db import models

from carehub.domain.network import PROVIDER_KINDS, PROVIDER_TYPES


class ProviderOrganization(models.Model):
    """A provider organization or practitioner (input layout: provider). NPIs pass the Luhn check."""

    npi = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=[(k, k) for k in PROVIDER_KINDS], db_index=True)
    provider_type = models.CharField(max_length=40, blank=True, default="", choices=PROVIDER_TYPES.items())
    tin = models.CharField(max_length=9, blank=True, default="")
    phone = models.CharField(max_length=30, blank=True, default="")
    email = models.CharField(max_length=120, blank=True, default="")
    address = models.CharField(max_length=200, blank=True, default="")
    counties = models.JSONField(default=list)
    populations = models.JSONField(default=list)
    supports = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="providers"
    )
    row_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"{self.name} ({self.npi})"


class ProviderSite(models.Model):
    """A place where a provider organization serves members."""

    provider = models.ForeignKey(ProviderOrganization, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=200, blank=True, default="")
    county = models.CharField(max_length=40, blank=True, default="")
    phone = models.CharField(max_length=30, blank=True, default="")
    is_primary = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name
