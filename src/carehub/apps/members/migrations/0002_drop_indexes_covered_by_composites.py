"""Drop a single-column index that a composite index already covers (its first column): carerelationship.provider_npi
(carerel_npi_end_idx: provider_npi, end_date). Each index is one more sorted copy to build on a first load of 1M
members and to keep up on every write. (member.last_name stays: member_name_idx covers it too, but on PostgreSQL a
provider user's last-name search measured 108 ms with it and 259 ms without, bench/member_search_bench.py.)

The index is dropped by name as the database reports it (no table rebuild, which AlterField does on SQLite)."""

from django.db import migrations, models

TABLE, COLUMN = "members_carerelationship", "provider_npi"


def drop_covered(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        constraints = conn.introspection.get_constraints(cur, TABLE)
    for name, info in constraints.items():  # the plain index and, on PostgreSQL, its `_like` twin
        if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == [COLUMN]:
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore(apps, schema_editor):
    model = apps.get_model("members", "CareRelationship")
    field = model._meta.get_field(COLUMN)
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
    like = getattr(schema_editor, "_create_like_index_sql", lambda *_: None)(model, field)  # PostgreSQL only
    if like is not None:
        schema_editor.execute(like)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_covered, restore)],
            state_operations=[
                migrations.AlterField(
                    model_name='carerelationship',
                    name='provider_npi',
                    field=models.CharField(max_length=10),
                ),
            ],
        ),
    ]
