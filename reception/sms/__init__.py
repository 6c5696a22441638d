"""Texts to visitors (SMS): what each kind of text says (`kinds`), recording one in the
transaction that decides it (`outbox`), and sending it after the commit through the configured
gateway (`gateways`: the outbox, the default, keeps it for staff to read; Alibaba Cloud or
Tencent Cloud SMS through their official SDKs), with retries and each text's state kept."""
