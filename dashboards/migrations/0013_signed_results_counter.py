"""Signed results as a counter (issue 16): the fact's ``signed`` flag (a signed result is stored
for the dossier) and the ``signed_results`` counter of the monthly tables, both with a database
default so the generator's COPY and any older writer still insert rows. The dossiers that already
have a stored signed result are marked dirty: the next refresh sets their facts' flag and
recomputes their months by the registry's rule (no second copy of the rule here)."""

from django.db import migrations, models


def mark_signed_dirty(apps, schema_editor):
    SignedDocument = apps.get_model("signatures", "SignedDocument")
    DirtyDossier = apps.get_model("dashboards", "DirtyDossier")
    DossierFact = apps.get_model("dashboards", "DossierFact")
    from django.utils import timezone

    now = timezone.now()
    ids = set(
        SignedDocument.objects.filter(dossier_id__isnull=False)
        .exclude(sha256="")
        .values_list("dossier_id", flat=True)
    )
    ids &= set(DossierFact.objects.filter(dossier_id__in=ids).values_list("dossier_id", flat=True))
    DirtyDossier.objects.bulk_create(
        [DirtyDossier(dossier_id=i, marked_at=now) for i in sorted(ids)],
        update_conflicts=True,
        unique_fields=["dossier_id"],
        update_fields=["marked_at"],
        batch_size=5000,
    )


def counter():
    return models.IntegerField(default=0, db_default=0)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0012_field_labels"),
        ("signatures", "0004_agency_certificate_revocation"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierfact",
            name="signed",
            field=models.BooleanField(default=False, db_default=False),
        ),
        migrations.AddIndex(
            model_name="dossierfact",
            index=models.Index(
                condition=models.Q(("signed", True)),
                fields=["finished_at", "dossier_id"],
                name="fact_signed",
            ),
        ),
        migrations.AddField(model_name="agencymonthstat", name="signed_results", field=counter()),
        migrations.AddField(
            model_name="proceduremonthstat", name="signed_results", field=counter()
        ),
        migrations.AddField(model_name="provincemonthstat", name="signed_results", field=counter()),
        migrations.AddField(model_name="sectormonthstat", name="signed_results", field=counter()),
        migrations.RunPython(mark_signed_dirty, migrations.RunPython.noop, elidable=True),
    ]
