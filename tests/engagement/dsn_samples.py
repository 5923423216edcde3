"""Bounce reports as mail servers write them: `{message_id}` and `{rcpt}` are filled in by the tests."""

POSTFIX_HARD = """\
Return-Path: <>
Received: by mx.acme.example (Postfix)
	id 3F1A2C0042; Mon,  7 Dec 2026 06:40:00 +0000 (UTC)
Date: Mon,  7 Dec 2026 06:40:00 +0000 (UTC)
From: MAILER-DAEMON@mx.acme.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: no-reply@rapport.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="3F1A2C0042.1796625600/mx.acme.example"
Content-Transfer-Encoding: 8bit
Message-Id: <20261207064000.3F1A2C0042@mx.acme.example>

This is a MIME-encapsulated message.

--3F1A2C0042.1796625600/mx.acme.example
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mx.acme.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<{rcpt}>: host mail.acme.example[192.0.2.10] said: 550 5.1.1
    <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox
    table (in reply to RCPT TO command)

--3F1A2C0042.1796625600/mx.acme.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example
X-Postfix-Queue-ID: 3F1A2C0042
X-Postfix-Sender: rfc822; no-reply@rapport.example
Arrival-Date: Mon,  7 Dec 2026 06:39:58 +0000 (UTC)

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.acme.example
Diagnostic-Code: smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User
    unknown in virtual mailbox table

--3F1A2C0042.1796625600/mx.acme.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers
Content-Transfer-Encoding: 8bit

Return-Path: <no-reply@rapport.example>
Received: from rapport.example (rapport.example [192.0.2.1])
	by mx.acme.example (Postfix) with ESMTP id 3F1A2C0042
	for <{rcpt}>; Mon,  7 Dec 2026 06:39:58 +0000 (UTC)
From: Anna Petrova <no-reply@rapport.example>
To: {rcpt}
Subject: Hosting provider
Message-ID: {message_id}
Date: Mon, 07 Dec 2026 06:39:57 -0000

--3F1A2C0042.1796625600/mx.acme.example--
"""

POSTFIX_DELAYED = """\
Date: Mon,  7 Dec 2026 10:40:00 +0000 (UTC)
From: MAILER-DAEMON@mx.acme.example (Mail Delivery System)
Subject: Delayed Mail (still being retried)
To: no-reply@rapport.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="77AB1C0042.1796640000/mx.acme.example"

--77AB1C0042.1796640000/mx.acme.example
Content-Description: Notification
Content-Type: text/plain; charset=utf-8

This is the mail system at host mx.acme.example.

####################################################################
# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #
####################################################################

<{rcpt}>: host mail.acme.example[192.0.2.10] said: 452 4.2.2 Mailbox full

--77AB1C0042.1796640000/mx.acme.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example
X-Postfix-Queue-ID: 77AB1C0042
Arrival-Date: Mon,  7 Dec 2026 06:39:58 +0000 (UTC)

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822;{rcpt}
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full
Will-Retry-Until: Fri, 11 Dec 2026 06:39:58 +0000 (UTC)

--77AB1C0042.1796640000/mx.acme.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Anna Petrova <no-reply@rapport.example>
To: {rcpt}
Subject: Hosting provider
Message-ID: {message_id}

--77AB1C0042.1796640000/mx.acme.example--
"""

EXCHANGE_HARD = """\
Received: from EX01.acme.example (198.51.100.7) by EX02.acme.example
 (198.51.100.8) with Microsoft SMTP Server id 15.2.1258.12; Mon, 7 Dec 2026
 06:40:01 +0000
MIME-Version: 1.0
From: <postmaster@acme.example>
To: <no-reply@rapport.example>
Date: Mon, 7 Dec 2026 06:40:01 +0000
Content-Type: multipart/report; report-type=delivery-status;
	boundary="2a4f7c1e-9d1b-4b55-8f0e-3c1c7b1a9e10"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: en-US
Message-ID: <9a1c3f7e-1b2d-4e5f-a6b7-c8d9e0f1a2b3@EX01.acme.example>
In-Reply-To: {message_id}
References: {message_id}
Subject: Undeliverable: Hosting provider
Auto-Submitted: auto-replied

--2a4f7c1e-9d1b-4b55-8f0e-3c1c7b1a9e10
Content-Type: multipart/alternative; differences=Content-Type;
	boundary="b1f0c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d"

--b1f0c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

{rcpt}
The email address you entered couldn't be found. Please check the recipient's
email address and try to resend the message.

--b1f0c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d
Content-Type: text/html; charset="us-ascii"

<html><body><p><b><font color="#000066" size="3">Delivery has failed to these
recipients or groups:</font></b></p><p>{rcpt}</p></body></html>

--b1f0c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d--

--2a4f7c1e-9d1b-4b55-8f0e-3c1c7b1a9e10
Content-Type: message/delivery-status

Reporting-MTA: dns;EX01.acme.example
Received-From-MTA: dns;rapport.example
Arrival-Date: Mon, 7 Dec 2026 06:39:59 +0000

Original-Recipient: rfc822;{rcpt}
Final-Recipient: rfc822;{rcpt}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not
 found by SMTP address lookup
X-Display-Name: {rcpt}

--2a4f7c1e-9d1b-4b55-8f0e-3c1c7b1a9e10
Content-Type: message/rfc822

Received: from rapport.example (192.0.2.1) by EX01.acme.example (198.51.100.7)
 with Microsoft SMTP Server id 15.2.1258.12; Mon, 7 Dec 2026 06:39:59 +0000
From: Anna Petrova <no-reply@rapport.example>
To: <{rcpt}>
Subject: Hosting provider
Date: Mon, 7 Dec 2026 06:39:57 +0000
Message-ID: {message_id}
Content-Type: text/plain; charset="utf-8"
MIME-Version: 1.0

Anna Petrova asks for your decision on Hosting provider.

--2a4f7c1e-9d1b-4b55-8f0e-3c1c7b1a9e10--
"""

ARF_COMPLAINT = """\
From: <staff@feedback.mailbox.example>
Date: Mon, 7 Dec 2026 07:00:00 +0000
Subject: FW: Hosting provider
To: <abuse@rapport.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
	boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP
192.0.2.1 on Mon, 7 Dec 2026 06:39:59 +0000.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <no-reply@rapport.example>
Original-Rcpt-To: <{rcpt}>
Arrival-Date: Mon, 7 Dec 2026 06:39:59 +0000
Source-IP: 192.0.2.1

--part1_13d.2e68ed54_boundary
Content-Type: text/rfc822-headers

From: Anna Petrova <no-reply@rapport.example>
To: {rcpt}
Subject: Hosting provider
Message-ID: {message_id}

--part1_13d.2e68ed54_boundary--
"""


def dsn_bytes(template: str, *, message_id: str, rcpt: str) -> bytes:
    return template.replace("{message_id}", message_id).replace("{rcpt}", rcpt).encode("utf-8")


def with_report_in_base64(raw: bytes) -> bytes:
    """The same DSN with its message/delivery-status part sent base64-encoded, as some servers do."""
    import base64

    text = raw.decode("utf-8")
    head = "Content-Type: message/delivery-status\n"
    start = text.index(head) + len(head)
    end = text.index("\n--", start)
    body = text[start:end].lstrip("\n")
    encoded = base64.encodebytes(body.encode("utf-8")).decode("ascii")
    return (text[:start] + "Content-Transfer-Encoding: base64\n\n" + encoded + text[end:]).encode("utf-8")
