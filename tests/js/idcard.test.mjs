import { test } from "node:test";
import assert from "node:assert/strict";
import { interpret, expired, isoDay } from "../../static/js/idcard.js";

const ANSWER = {
  resultFlag: 0,
  partyName: "张三",
  gender: "男",
  nation: "汉",
  bornDay: "19900307",
  certAddress: "北京市东城区景山前街4号",
  certNumber: "110101199003074514",
  certOrg: "北京市公安局东城分局",
  effDate: "20200101",
  expDate: "20400101",
  identityPic: "Qk02AAAAAAAAADYAAAAoAAAA",
};

test("the 华视 shape is read and its photo dropped", () => {
  const read = interpret("cvr100", ANSWER, new Date(2026, 11, 7));
  assert.deepEqual(read.card, {
    name: "张三",
    idNumber: "110101199003074514",
    sex: "男",
    birthDate: "1990-03-07",
    address: "北京市东城区景山前街4号",
    validUntil: "20400101",
  });
  assert.ok(!JSON.stringify(read).includes(ANSWER.identityPic));
});

test("no card, an expired card and an unknown make say so", () => {
  assert.equal(interpret("cvr100", { resultFlag: -1, errorMsg: "读卡失败" }).error, "no-card");
  const old = interpret("cvr100", { ...ANSWER, expDate: "20251231" }, new Date(2026, 11, 7));
  assert.equal(old.error, "expired");
  assert.equal(old.card.idNumber, undefined);
  assert.equal(interpret("other", ANSWER).error, "unknown-reader");
  assert.equal(expired("长期"), false);
  assert.equal(expired("20261207", new Date(2026, 11, 7)), false);
  assert.equal(isoDay("20261207"), "2026-12-07");
});
