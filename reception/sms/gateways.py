"""The SMS gateways, chosen by `SMS_GATEWAY` (environment `RECEPTION_SMS_GATEWAY`):

- `outbox` (the default): nothing leaves the hall; staff read the texts in the administration.
- `aliyun`: Alibaba Cloud SMS (dysmsapi 2017-05-25) through its official SDK
  (`pip install reception[sms-aliyun]`): `SMS_KEY_ID`, `SMS_KEY_SECRET`, `SMS_SIGN_NAME`, and
  a template code per kind of text, `SMS_TEMPLATE_TURN_NEAR`, `SMS_TEMPLATE_BOOKED`, …
  (variables by name, as `reception.sms.kinds` names them).
- `tencent`: Tencent Cloud SMS (2021-01-11) through its official SDK
  (`pip install reception[sms-tencent]`): the same keys, `SMS_APP_ID` (the SdkAppId),
  `SMS_REGION` (default ap-guangzhou) and template ids (variables numbered in `kinds`' order).

`SMS_ENDPOINT` points either SDK somewhere else (a proxy; the tests' local stub). A kind with
no template configured is refused by the gateway (final, the code says which kind). A class
of one's own still plugs in with `NOTIFIER=package.module:ClassName` (`send(phone, body)`).
"""

from __future__ import annotations

import importlib
import json
from typing import Any, Protocol

from reception.sms.kinds import KINDS


class Refused(Exception):
    """The gateway did not take the text: its code and message; `final`: trying again will
    not help (a template missing, a number refused)."""

    def __init__(self, code: str, message: str = "", *, final: bool = False) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.final = code, message, final


class Gateway(Protocol):
    channel: str

    def send(self, phone: str, kind: str, params: dict[str, str], body: str) -> str | None:
        """Send one text; the gateway's reference (None: kept, not sent). Raises `Refused`."""
        ...


class OutboxGateway:
    """Keeps every text for staff to read; sends nothing."""

    channel = "outbox"

    def send(self, phone: str, kind: str, params: dict[str, str], body: str) -> str | None:
        return None


class NotifierGateway:
    """A class of one's own with `send(phone, body) -> str` (the earlier notifier interface)."""

    def __init__(self, notifier: Any) -> None:
        self.notifier = notifier
        self.channel = str(getattr(notifier, "channel", type(notifier).__name__))

    def send(self, phone: str, kind: str, params: dict[str, str], body: str) -> str | None:
        return str(self.notifier.send(phone, body) or "")


def _template(config: Any, kind: str) -> str:
    template = config.get(f"SMS_TEMPLATE_{kind.upper()}") or ""
    if not template:
        raise Refused("NoTemplate", f"no SMS_TEMPLATE_{kind.upper()} configured", final=True)
    return str(template)


def _mainland(phone: str) -> str:
    return phone if phone.startswith("+") else f"+86{phone}"


# the gateways' codes for a refusal that trying again will not change
ALIYUN_FINAL = (
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
)
TENCENT_FINAL = ("FailedOperation.TemplateIncorrectOrUnapproved", "InvalidParameterValue")


class AliyunGateway:
    channel = "aliyun"

    def __init__(self, config: Any) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import utils_models

        endpoint = str(config.get("SMS_ENDPOINT") or "dysmsapi.aliyuncs.com")
        secure = not endpoint.startswith("http://")
        self.config = config
        self.client = Client(
            utils_models.Config(
                access_key_id=config.get("SMS_KEY_ID"),
                access_key_secret=config.get("SMS_KEY_SECRET"),
                endpoint=endpoint.removeprefix("http://").removeprefix("https://"),
                protocol="HTTPS" if secure else "HTTP",
            )
        )

    def send(self, phone: str, kind: str, params: dict[str, str], body: str) -> str | None:
        from alibabacloud_dysmsapi20170525 import models

        names = KINDS[kind].variables
        request = models.SendSmsRequest(
            phone_numbers=phone,
            sign_name=self.config.get("SMS_SIGN_NAME"),
            template_code=_template(self.config, kind),
            template_param=json.dumps({n: params[n] for n in names}, ensure_ascii=False),
        )
        answer = self.client.send_sms(request).body
        if answer.code != "OK":
            raise Refused(
                answer.code or "?", answer.message or "", final=answer.code in ALIYUN_FINAL
            )
        return str(answer.biz_id or "")


class TencentGateway:
    channel = "tencent"

    def __init__(self, config: Any) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        profile = HttpProfile()
        endpoint = str(config.get("SMS_ENDPOINT") or "")
        if endpoint:
            profile.scheme = "http" if endpoint.startswith("http://") else "https"
            profile.endpoint = endpoint.removeprefix("http://").removeprefix("https://")
        self.config = config
        self.client = sms_client.SmsClient(
            credential.Credential(config.get("SMS_KEY_ID"), config.get("SMS_KEY_SECRET")),
            config.get("SMS_REGION") or "ap-guangzhou",
            ClientProfile(httpProfile=profile),
        )

    def send(self, phone: str, kind: str, params: dict[str, str], body: str) -> str | None:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.SmsSdkAppId = str(self.config.get("SMS_APP_ID") or "")
        request.SignName = self.config.get("SMS_SIGN_NAME")
        request.TemplateId = _template(self.config, kind)
        request.TemplateParamSet = [params[n] for n in KINDS[kind].variables]
        request.PhoneNumberSet = [_mainland(phone)]
        try:
            answer = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            code = str(error.get_code() or "?")
            raise Refused(
                code, str(error.get_message() or ""), final=code in TENCENT_FINAL
            ) from error
        status = answer.SendStatusSet[0]
        if status.Code != "Ok":
            raise Refused(status.Code, status.Message or "", final=status.Code in TENCENT_FINAL)
        return str(status.SerialNo or "")


GATEWAYS = {"outbox": OutboxGateway, "aliyun": AliyunGateway, "tencent": TencentGateway}


def load_gateway(config: Any) -> Gateway:
    """The gateway the configuration names (a missing SDK is said at start, not at a send)."""
    custom = config.get("NOTIFIER") or ""
    if custom:
        module_name, _, class_name = custom.partition(":")
        return NotifierGateway(getattr(importlib.import_module(module_name), class_name)(config))
    name = config.get("SMS_GATEWAY") or "outbox"
    if name not in GATEWAYS:
        raise ValueError(f"SMS_GATEWAY: one of {', '.join(GATEWAYS)}, not {name!r}")
    if name == "outbox":
        return OutboxGateway()
    try:
        gateway: Gateway = GATEWAYS[name](config)
    except ImportError as missing:
        raise RuntimeError(
            f"SMS_GATEWAY={name} needs its SDK: pip install 'reception[sms-{name}]'"
        ) from missing
    return gateway
