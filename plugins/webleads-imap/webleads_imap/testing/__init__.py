"""Test and benchmark harness for the IMAP source: a real Dovecot on loopback
(:mod:`.dovecot`), certificates (:mod:`.certs`), a scripted fake server for what Dovecot
never does (:mod:`.fakeserver`), a fault-injecting proxy (:mod:`.proxy`), and a corpus
of realistic messages (:mod:`.corpus`).  Nothing here reaches beyond 127.0.0.1."""
