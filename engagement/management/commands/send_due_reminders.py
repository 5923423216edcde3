from engagement.management.commands._jobs import JobCommand
from engagement.services.reminders import reminders_send_due


class Command(JobCommand):
    help = "Queue the meeting reminders that are due (what the every-minute beat job does)."

    def handle(self, *args, **options):
        count = reminders_send_due(now=self.moment(options))
        self.stdout.write(f"{count} reminder(s) queued")
