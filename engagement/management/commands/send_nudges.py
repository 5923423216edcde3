from engagement.management.commands._jobs import JobCommand
from engagement.services.nudges import nudges_send


class Command(JobCommand):
    help = "Queue today's nudges and backup escalations (what the daily beat job does)."

    def handle(self, *args, **options):
        count = nudges_send(now=self.moment(options))
        self.stdout.write(f"{count} nudge(s) and escalation(s) queued")
