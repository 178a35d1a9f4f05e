"""`manage.py initserver`: the production shape's first step (docker-compose.yml's `init` service)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand

from server import runenv
from server.options import ServerOptions


class Command(BaseCommand):
    help = ("Create the base directory layout, migrate the database and, on the first start, the Main Domain "
            "with postmaster (as cgserver does before it starts its components); then exit.")

    def handle(self, *args: object, **options: object) -> None:
        from pathlib import Path

        from server.services import server_record_start
        from server.startup import first_start_lines, prepare

        for line in first_start_lines(prepare(Path(settings.CGATE_BASE))):
            self.stdout.write(line)
        # The General page's start time and SNMP's sysUpTime count from this start of the shape.
        server_record_start(parameters=[], pid=os.getpid(), details=runenv.runtime_details(ServerOptions()))
        self.stdout.write(f"initserver: {settings.CGATE_BASE} and the database are ready")
