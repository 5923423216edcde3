from engagement.management.commands._jobs import JobCommand
from engagement.services.digests import digest_send_due


class Command(JobCommand):
    help = "Build and queue the weekly digests that are due (what the 15-minute beat job does, in this process)."

    def handle(self, *args, **options):
        count = digest_send_due(now=self.moment(options))
        self.stdout.write(f"{count} digest(s) queued")
