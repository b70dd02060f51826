"""Stored identification runs: one record per run and one row per person and Population of Focus met.

Rows are written in bulk by `services.store_run` (PostgreSQL COPY, SQLite executemany), never one by one through
the ORM. `change` and `lead` compare a run with the previous run (the latest earlier as-of date), so the worklist
of newly identified members is one indexed range scan.
"""

from __future__ import annotations

from django.db import models

from carehub.apps.members.models import Member


class RunStatus(models.TextChoices):
    COMPLETE = "COMPLETE", "Complete"
    FAILED = "FAILED", "Failed"


class RunSource(models.TextChoices):
    FOLDER = "folder", "Plan data folder"
    WAREHOUSE = "warehouse", "Claims warehouse"


class Change(models.TextChoices):
    NEW = "NEW", "New"
    STILL = "STILL", "Still eligible"
    NO_LONGER = "NO_LONGER", "No longer eligible"  # never a row's change: see NoLongerEligible


class IdentificationRun(models.Model):
    """One identification run: the as-of date, the rule and value-set versions it used, and its counts.

    (as_of, rule_version, value_set_version) is unique: storing the same run again replaces its rows."""

    as_of = models.DateField(db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    rule_version = models.CharField(max_length=64)
    value_set_version = models.CharField(max_length=64)
    versions = models.JSONField(default=dict, blank=True, help_text="Content hash of each rule and value-set file.")
    source = models.CharField(max_length=20, choices=RunSource.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.COMPLETE)
    previous_run = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rows = models.IntegerField(default=0)
    people = models.IntegerField(default=0)
    excluded_people = models.IntegerField(default=0)
    new_people = models.IntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True,
                              help_text="population -> rows, excluded, NEW, STILL, NO_LONGER")
    counties = models.JSONField(default=list, blank=True, help_text="Counties of the run's rows (worklist filter).")
    county_counts = models.JSONField(default=dict, blank=True,
                                     help_text="county -> members: people, excluded, NEW, STILL, NO_LONGER (the "
                                               "members each worklist list shows for that county)")
    times_stored = models.IntegerField(default=1)

    class Meta:
        ordering = ["-as_of", "-finished_at"]
        constraints = [models.UniqueConstraint(fields=["as_of", "rule_version", "value_set_version"],
                                               name="ident_run_unique_versions")]

    def __str__(self) -> str:
        return f"identification {self.as_of} ({self.rule_version}/{self.value_set_version})"


class IdentifiedPopulation(models.Model):
    """One output row of identification (spec/input-layout.md "Output of identification"), plus the member's
    county, the priority score and its factors, and how the row compares with the previous run."""

    run = models.ForeignKey(IdentificationRun, on_delete=models.CASCADE, related_name="populations")
    # No database constraint (and nullable, so reads LEFT JOIN the member): a run from a plan folder may name people
    # the operational database has not loaded. Every stored row has a person_id. No index of its own: the unique
    # (run, person_id, population) index serves every lookup by person, and each index slows the bulk insert.
    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", db_constraint=False,
                               db_index=False, null=True, on_delete=models.DO_NOTHING,
                               related_name="identified_populations")
    cin = models.CharField("CIN", max_length=32, blank=True, default="")
    population = models.CharField(max_length=40)
    criteria = models.CharField(max_length=500, blank=True, default="")
    evidence = models.TextField(blank=True, default="")
    excluded = models.BooleanField(default=False)
    exclusion_reason = models.CharField(max_length=40, blank=True, default="")
    # what proves the exclusion (`program:HOSPICE:2024-07-01`, `outreach:UNREACHABLE:...`); empty from a CSV
    exclusion_evidence = models.CharField(max_length=200, blank=True, default="")
    continuity = models.BooleanField(default=False)
    priority = models.IntegerField()
    county = models.CharField(max_length=40, blank=True, default="")
    score = models.FloatField(null=True, blank=True)
    priority_factors = models.CharField(max_length=500, blank=True, default="")
    change = models.CharField(max_length=10, choices=Change.choices, default=Change.NEW)
    lead = models.BooleanField(default=False, help_text="The person's first NEW row (by population): one worklist "
                                                        "line per newly identified person.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "member", "population"],
                                               name="ident_row_unique_person_population")]
        indexes = [
            models.Index(fields=["run", "priority"], name="ident_run_priority_idx"),
            # The default worklist (one line per newly identified person): a few percent of a month's rows.
            models.Index(fields=["run", "priority"], condition=models.Q(lead=True), name="ident_run_lead_priority_idx"),
            models.Index(fields=["run", "population", "priority"], name="ident_run_pop_priority_idx"),
            models.Index(fields=["run", "county", "priority"], name="ident_run_county_priority_idx"),
            # Excluded members by reason (the run summary's counts, the worklist's "Only: <reason>"): a few percent
            # of the rows, and they rank after all others, so the priority indexes would walk the rest first.
            models.Index(fields=["run", "exclusion_reason", "priority"], condition=models.Q(excluded=True),
                         name="ident_run_excluded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.population} (run {self.run_id})"


class NoLongerEligible(models.Model):
    """A person and Population of Focus the previous run identified and this run does not ("no longer eligible"),
    with what the previous run said of the person. Written by `services.store_run` with the run (and again when the
    run is compared anew), so the list of members no longer eligible is one indexed range scan like the worklist:
    found at read time it was an anti-join of two runs (~0.25 s at a million members on PostgreSQL)."""

    run = models.ForeignKey(IdentificationRun, on_delete=models.CASCADE, related_name="no_longer_eligible")
    member = models.ForeignKey(Member, to_field="person_id", db_column="person_id", db_constraint=False,
                               db_index=False, null=True, on_delete=models.DO_NOTHING, related_name="+")
    cin = models.CharField("CIN", max_length=32, blank=True, default="")
    population = models.CharField(max_length=40)
    # the previous run's, for the person
    priority = models.IntegerField()
    county = models.CharField(max_length=40, blank=True, default="")
    score = models.FloatField(null=True, blank=True)
    excluded = models.BooleanField(default=False)
    exclusion_reason = models.CharField(max_length=40, blank=True, default="")
    continuity = models.BooleanField(default=False)
    # why, on this run's date (domain.populations.leaving): died, no longer enrolled, aged out, criteria no longer
    # met, and the date of it where there is one; "" in runs stored before it was kept
    reason = models.CharField(max_length=20, blank=True, default="")
    reason_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "member", "population"],
                                               name="ident_gone_unique_person_population")]
        indexes = [
            models.Index(fields=["run", "priority"], name="ident_gone_run_priority_idx"),
            models.Index(fields=["run", "population", "priority"], name="ident_gone_run_pop_idx"),
            models.Index(fields=["run", "county", "priority"], name="ident_gone_run_county_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.population} no longer eligible (run {self.run_id})"
