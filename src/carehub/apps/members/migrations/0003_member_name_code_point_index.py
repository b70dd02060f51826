"""PostgreSQL: the member name index by code point (`COLLATE "C"`), which member search reads in order whatever
the database's collation (members.selectors.CodePoint). SQLite compares by code point already and uses
member_name_idx, so it gets nothing here."""

from django.db import migrations

INDEX = "member_name_cp_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON members_member '
                              '((last_name COLLATE "C"), (first_name COLLATE "C"), person_id)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_drop_indexes_covered_by_composites")]
    operations = [migrations.RunPython(create, drop)]
