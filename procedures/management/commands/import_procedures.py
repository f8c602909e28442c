"""``manage.py import_procedures FILE [--publish] [--dry-run]``: the admin import, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from procedures.importer import ImportFileError, ImportRejected, procedures_import, procedures_parse


class Command(BaseCommand):
    help = "Import procedures from a CSV or XLSX file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--publish", action="store_true", help="Publish every imported procedure."
        )
        parser.add_argument("--dry-run", action="store_true", help="Only check the file.")

    def handle(self, *args, file: str, publish: bool, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}")
        try:
            if dry_run:
                report = procedures_parse(filename=path.name, content=path.read_bytes())
                if not report.ok:
                    raise ImportRejected(report)
                self.stdout.write(
                    self.style.SUCCESS(_("%(count)d rows are valid.") % {"count": len(report.rows)})
                )
                return
            report = procedures_import(
                filename=path.name, content=path.read_bytes(), publish=publish
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            for e in exc.report.errors:
                self.stderr.write(
                    _("Row %(row)s, column %(column)s: %(message)s")
                    % {"row": e.row, "column": e.column, "message": e.message}
                )
            raise CommandError(
                _("%(count)d errors; nothing imported.") % {"count": len(exc.report.errors)}
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập {report.imported} thủ tục / {report.imported} procedures imported."
            )
        )
