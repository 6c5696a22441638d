// Measurements of the age-friendly rules (适老化) on the page it is loaded into; the browser
// tests read them. Each returns a list of what breaks the rule (empty: the page keeps it).
window.ageFriendly = {
  // text smaller than `least` CSS pixels
  smallText(least) {
    const small = [];
    for (const el of document.querySelectorAll("body *")) {
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none") continue;
      const box = el.getBoundingClientRect();
      if (!box.width || !box.height || el.closest("[hidden], .no-print, svg, noscript")) continue;
      const text = [...el.childNodes]
        .filter((n) => n.nodeType === 3)
        .map((n) => n.textContent.trim())
        .join("");
      const size = parseFloat(style.fontSize);
      if (text && size < least) small.push(`${el.tagName}.${el.className} "${text.slice(0, 16)}" ${size}px`);
    }
    return small;
  },
  // tap targets narrower or lower than `least` CSS pixels (a check box counts with its label)
  smallTargets(least) {
    const small = [];
    const targets = "a[href], button, select, input:not([type=hidden]), textarea, summary";
    for (const el of document.querySelectorAll(targets)) {
      const style = getComputedStyle(el);
      if (el.closest("[hidden]") || style.visibility === "hidden" || style.display === "none") continue;
      let box = el.getBoundingClientRect();
      if (!box.width || !box.height) continue;
      const label = el.closest("label");
      if (["checkbox", "radio"].includes(el.type) && label) box = label.getBoundingClientRect();
      if (box.width + 0.5 < least || box.height + 0.5 < least) {
        const name = (el.textContent || el.value || el.name || "").trim().slice(0, 16);
        small.push(`${el.tagName}.${el.className} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  },
  // the page wider than the screen, a box past its right edge, a box that cuts its text off
  spills() {
    const out = [];
    const width = document.documentElement.clientWidth;
    const page = document.documentElement.scrollWidth;
    if (page > width + 1) out.push(`page ${page} > ${width}`);
    for (const el of document.querySelectorAll("body *")) {
      if (el.closest("[hidden], svg")) continue;
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden") continue;
      const box = el.getBoundingClientRect();
      if (!box.width) continue;
      if (box.right > width + 1) out.push(`${el.tagName}.${el.className} right ${Math.round(box.right)} > ${width}`);
      const clips = ["hidden", "clip"].includes(style.overflowX);
      if (clips && el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName}.${el.className} clips its text`);
    }
    return out.slice(0, 12);
  },
  // labels that must read whole: a level, a fact's name, a button's word ("不满/意" is broken)
  brokenWords() {
    const out = [];
    const whole = ".rate-level, .phone-facts dt, .kiosk-name, .slip-number, .phone-number";
    for (const el of document.querySelectorAll(whole)) {
      if (el.closest("[hidden]") || !el.getBoundingClientRect().width) continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) out.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 16)}" on ${lines.size} lines`);
    }
    return out;
  },
  // axe-core's WCAG 2 A/AA findings (contrast of at least 4.5:1 among them)
  async axe() {
    const found = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] });
    return found.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  },
};
