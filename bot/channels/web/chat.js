// WeChat-style chat on Rasa's REST channel. Buttons become chips; a bare number picks from the
// last options shown (like the hotline menu); 0 or 菜单 opens the menu.
(function () {
  "use strict";
  const log = document.getElementById("log");
  const chips = document.getElementById("chips");
  const input = document.getElementById("input");
  // Who this browser is comes from the server's HttpOnly cookie; the key below only lets a load
  // balancer keep one browser on one Rasa server (docs/deploy.md) and identifies nobody.
  const senderKey = "yibao-sender";
  const sender = localStorage.getItem(senderKey) || ("web-" + crypto.getRandomValues(new Uint32Array(2)).join(""));
  localStorage.setItem(senderKey, sender);
  let lastButtons = [];
  let lastStamp = 0;

  function stamp() {
    const now = Date.now();
    if (now - lastStamp < 5 * 60 * 1000) return;
    lastStamp = now;
    const d = new Date(now);
    const el = document.createElement("div");
    el.className = "time";
    el.textContent = d.getHours() + ":" + String(d.getMinutes()).padStart(2, "0");
    log.appendChild(el);
  }

  // Month grids such as "2026年：■■□···" become coloured cells; everything else stays text.
  function fillBubble(bubble, text) {
    for (const part of text.split(/([■□·]+)/)) {
      if (/^[■□·]+$/.test(part) && part.length > 1) {
        for (const ch of part) {
          const cell = document.createElement("span");
          cell.className = "cell " + (ch === "■" ? "paid" : ch === "□" ? "gap" : "future");
          cell.title = ch === "■" ? "已缴" : ch === "□" ? "未缴" : "未到";
          bubble.appendChild(cell);
        }
      } else {
        bubble.appendChild(document.createTextNode(part));
      }
    }
  }

  function add(who, text) {
    stamp();
    const row = document.createElement("div");
    row.className = "row " + who;
    const avatar = document.createElement("div");
    avatar.className = "avatar";
    avatar.textContent = who === "bot" ? "医" : "我";
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    fillBubble(bubble, text);
    row.append(avatar, bubble);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
    return bubble;
  }

  async function postRating(feedback, rating, reason) {
    const res = await fetch("/chat/feedback", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ turn: feedback.turn, token: feedback.token, rating: rating, reason: reason || "" }),
    });
    return res.ok;
  }

  // 👍/👎 under an answer; after 👎 an optional one-line reason.
  function addRating(bubble, feedback) {
    const bar = document.createElement("div");
    bar.className = "rating";
    const up = document.createElement("button");
    const down = document.createElement("button");
    up.type = down.type = "button";
    up.className = "rate up";
    down.className = "rate down";
    up.textContent = "👍 有帮助";
    down.textContent = "👎 没帮到我";
    up.title = "有帮助";
    down.title = "没帮到我";
    const done = function (text) { bar.replaceChildren(); bar.textContent = text; };
    up.onclick = async function () { if (await postRating(feedback, 1)) done("谢谢您的评价"); };
    down.onclick = async function () {
      if (!(await postRating(feedback, -1))) return;
      bar.replaceChildren();
      const reason = document.createElement("input");
      reason.className = "reason";
      reason.maxLength = 200;
      reason.placeholder = "哪里没帮到您？（可不填）";
      const submit = document.createElement("button");
      submit.type = "button";
      submit.className = "rate send-reason";
      submit.textContent = "提交";
      submit.onclick = async function () {
        if (!reason.value.trim() || (await postRating(feedback, -1, reason.value))) done("谢谢，已记下，我们会改进");
      };
      bar.append(reason, submit);
    };
    bar.append(up, down);
    bubble.appendChild(bar);
  }

  function showChips(buttons) {
    chips.replaceChildren();
    lastButtons = buttons;
    buttons.forEach(function (b, i) {
      const chip = document.createElement("button");
      chip.className = "chip";
      chip.type = "button";
      chip.textContent = (i + 1) + " " + b.title;
      chip.onclick = function () { send(b.payload, b.title); };
      chips.appendChild(chip);
    });
  }

  function resolve(text) {
    const t = text.trim();
    if (t === "0" || t === "菜单") return "/help";
    const n = /^\d{1,2}$/.test(t) ? parseInt(t, 10) : 0;
    if (n >= 1 && n <= lastButtons.length) return lastButtons[n - 1].payload;
    // A typed leading "/" is text, not Rasa's intent syntax (Rasa strips spaces before checking).
    return t.startsWith("/") ? "\uFF0F" + t.slice(1) : t;
  }

  async function send(payload, shown) {
    add("user", shown);
    showChips([]);
    try {
      const res = await fetch("/webhooks/rest/webhook", {
        method: "POST",
        credentials: "same-origin",
        // The header lets a load balancer route a user's messages to one Rasa server (docs/deploy.md).
        headers: { "Content-Type": "application/json", "X-Yibao-Sender": sender },
        body: JSON.stringify({ sender: sender, message: payload }),
      });
      if (!res.ok) throw new Error(res.status);
      const replies = await res.json();
      let buttons = [];
      for (const r of replies) {
        if (r.text) {
          const bubble = add("bot", r.text);
          if (r.feedback) addRating(bubble, r.feedback);
        }
        if (r.buttons && r.buttons.length) buttons = r.buttons;
      }
      showChips(buttons);
    } catch (e) {
      add("bot", document.body.dataset.busyText);
    }
  }

  document.getElementById("composer").addEventListener("submit", function (ev) {
    ev.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send(resolve(text), text);
  });

  // Replies typed by a human agent after 转人工 arrive here (the bot is paused meanwhile).
  let agentSeen = Number(localStorage.getItem(senderKey + "-agent") || 0);
  async function pollAgent() {
    try {
      const res = await fetch("/chat/replies?after=" + agentSeen, { credentials: "same-origin" });
      if (res.ok) {
        const body = await res.json();
        for (const r of body.replies) add("bot", "【人工客服】" + r.text);
        agentSeen += body.replies.length;
        localStorage.setItem(senderKey + "-agent", String(agentSeen));
      }
    } catch (e) { /* offline for a moment: try again on the next tick */ }
  }
  setInterval(pollAgent, 4000);

  add("bot", "您好，我是医保助手。请问有什么医保问题？回复「菜单」查看功能。");
})();
