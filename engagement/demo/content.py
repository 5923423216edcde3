"""Realistic English content for the demo and scale data sets (project data is not translated)."""

from __future__ import annotations

TEAM_TASKS = [
    ("Set up staging environment", "Provision the staging stack and share the URL with the client team."),
    ("Implement single sign-on", "SAML integration with the client's identity provider."),
    ("Build order history page", "Paginated order list with filters by date and status."),
    ("Migrate customer records", "Import the legacy customer export and reconcile duplicates."),
    ("Accessibility audit fixes", "Resolve the contrast and keyboard-navigation findings from the audit."),
    ("Performance tuning of search", "Bring the p95 of product search under 300 ms."),
    ("Write the release runbook", "Step-by-step go-live plan with rollback points."),
    ("Design the notification centre", "Wireframes and the final UI for in-app notifications."),
    ("Payment provider integration", "Card payments and refunds through the new provider's API."),
    ("Load test the checkout", "Simulate the Black Friday peak and report the bottlenecks."),
    ("Analytics event tracking", "Instrument the funnel events agreed in the tracking plan."),
    ("Prepare the UAT environment", "Seed realistic data and open access for the client testers."),
    ("Fix the PDF invoice layout", "Long addresses overflow the header on the invoice template."),
    ("Security review follow-ups", "Close the findings from the external penetration test."),
]

CLIENT_TASKS = [
    ("Provide brand guidelines", "Logo files, colour palette and typography rules."),
    ("Approve the homepage copy", "Review the draft texts and mark what needs to change."),
    ("Share API credentials for the ERP", "Sandbox credentials for the ERP integration."),
    ("Confirm the launch date with marketing", "Align the go-live with the campaign calendar."),
    ("Deliver product photography", "Final images for the top 200 products, 2000 px wide."),
    ("Sign the data processing agreement", "Legal needs to countersign the DPA before data migration."),
    ("Nominate UAT testers", "Three people from customer service and two from operations."),
    ("Review the accessibility statement", "Check the draft statement against your legal template."),
    ("Export the legacy customer list", "CSV export with the agreed columns, UTF-8."),
    ("Decide on the returns policy wording", "Final wording for the returns page and e-mails."),
    ("Provide the store locations feed", "Addresses and opening hours for all stores."),
    ("Complete UAT round one", "Run the test scripts and log findings in the portal."),
    ("Approve the e-mail templates", "Order confirmation, shipping and password reset e-mails."),
    ("Arrange VPN access for the team", "Two accounts for the integration work."),
]

REPORT_NOTES = {
    "on_track": [
        "Good progress this week, no surprises.",
        "First draft done, polishing the details now.",
        "Halfway there; the remaining part is straightforward.",
        "Reviewed with the team, feedback incorporated.",
        "Waiting for one small answer, otherwise on schedule.",
    ],
    "at_risk": [
        "Slower than planned — two people were out sick.",
        "Scope grew after the last review; may slip by a few days.",
        "Depends on another team's input that has not arrived yet.",
    ],
    "blocked": [
        "Cannot continue until the credentials arrive.",
        "Blocked by the pending legal review.",
    ],
    "done": ["Finished and handed over.", "Done — see the shared folder."],
}

BLOCKERS = [
    "Waiting for the sandbox credentials.",
    "Legal has not signed off the agreement yet.",
    "The vendor's API is returning errors in the test environment.",
    "Missing input from the marketing team.",
]

DECISIONS = [
    ("Use the provider's hosted payment page", "PCI scope must stay minimal.", "Hosted page; embedded fields; own form", "Go with the hosted payment page."),
    ("Launch with English and German only", "Translations for the other markets are late.", "All languages; EN+DE; EN only", "Launch EN and DE, add the rest in the next release."),
    ("Drop the wish-list feature from phase one", "Budget pressure and low usage in the old site.", "Keep; simplify; drop", "Drop it from phase one and revisit after launch."),
    ("Move the go-live by two weeks", "UAT started late because of access issues.", "Keep the date with reduced scope; move by two weeks", "Move the go-live by two weeks."),
    ("Store images in the client's CDN", "The client already pays for a CDN contract.", "Our CDN; client's CDN", "Use the client's CDN."),
    ("Adopt weekly releases after launch", "Faster feedback on small changes.", "Weekly; fortnightly; monthly", "Weekly releases on Tuesdays."),
    ("Keep the legacy URLs with redirects", "Search rankings depend on them.", "Redirect all; redirect top 1,000; none", "Redirect every legacy URL."),
    ("Use passwordless log-in for customers", "Fewer support tickets about forgotten passwords.", "Passwords; magic links; both", "Offer magic links alongside passwords."),
    ("Replace the search engine", "The current engine cannot handle the catalogue size.", "Tune current; replace", "Replace it with the hosted search service."),
    ("Freeze scope for the UAT period", "Changes during UAT keep invalidating test runs.", "Freeze; allow small changes", "Freeze scope; urgent fixes only."),
]

RISKS = [
    ("Key client approver on holiday in August", "risk", "medium"),
    ("ERP vendor may not deliver the API in time", "risk", "high"),
    ("Data migration quality is unknown", "risk", "high"),
    ("Staging environment outage", "issue", "medium"),
    ("Budget approval for phase two pending", "risk", "low"),
    ("Performance under peak load not yet verified", "risk", "critical"),
    ("Test data contains personal information", "issue", "high"),
    ("Third-party cookie changes affect analytics", "risk", "low"),
]

MINUTES = [
    "Reviewed open client tasks; brand assets expected by Friday. Agreed to move the demo to next week.",
    "Walked through the staging build. Client happy with the navigation; asked for a larger search box.",
    "Discussed the UAT plan and tester nominations. Risk about ERP API raised again.",
    "Status of the data migration: first dry run done, 2% of records need manual fixes.",
    "Agreed the launch checklist. Marketing to confirm the campaign date.",
    "Short meeting: no blockers, reports up to date.",
]

CANCEL_REASONS = ["Public holiday", "Client team at an offsite", "Clashed with the board meeting", "Nothing to discuss this week"]

FIRST_NAMES = [
    "Anna", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Irina", "Jack", "Katya", "Liam",
    "Maya", "Nikolai", "Olga", "Peter", "Quinn", "Rosa", "Sergei", "Tara", "Umar", "Vera", "William", "Yana",
]
LAST_NAMES = [
    "Andersen", "Baker", "Chen", "Dubois", "Egorova", "Fischer", "Garcia", "Hughes", "Ivanova", "Jensen",
    "Kowalski", "Lebedev", "Morozova", "Novak", "O'Brien", "Petrov", "Rossi", "Schmidt", "Tanaka", "Volkov",
]
COMPANY_WORDS = [
    "Northwind", "Aurora", "Bluefin", "Cedar", "Driftwood", "Evergreen", "Foxglove", "Granite", "Harbor",
    "Ironbark", "Juniper", "Kestrel", "Lakeside", "Meridian", "Nimbus", "Oakridge", "Pinecrest", "Quarry",
]
COMPANY_KINDS = ["Logistics", "Retail", "Insurance", "Foods", "Health", "Energy", "Travel", "Media", "Bank"]
PROJECT_KINDS = [
    "Customer Portal", "Mobile App", "Data Platform", "E-commerce Relaunch", "Loyalty Programme",
    "Partner Extranet", "Booking System", "Intranet", "Analytics Dashboard",
]
ZONES = ["Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Europe/London"]
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
