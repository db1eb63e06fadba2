"""Server-rendered HTML of /ops (no scripts, no CDN; the chart is SVG drawn here)."""

from __future__ import annotations

from datetime import date
from html import escape
from urllib.parse import urlencode

from bot.ops.dashboard import Figures, per_channel_totals, summary
from bot.ops.export import Export
from bot.ops.queue import ReviewItem

CHANNEL_NAMES = {"web": "网页", "rest": "REST", "wechat": "公众号", "wecom": "企业微信"}
CHANNEL_COLOURS = {"web": "#07c160", "rest": "#576b95", "wechat": "#fa9d3b", "wecom": "#10aeff"}
OUTCOME_NAMES = {"answered": "已回答", "clarified": "反问澄清", "refused": "拒答", "redirected": "转其他部门",
                 "handoff": "转人工", "other": "其他（问候、菜单、验证等）"}


def layout(title: str, body: str, operator: str | None = None, csrf: str = "") -> str:
    nav = ""
    if operator:
        nav = (f'<nav><a href="/ops">数据看板</a> <a href="/ops/review">待审问题</a> '
               f'<span class="who">操作员：{escape(operator)}</span>'
               f'<form method="post" action="/ops/logout" class="inline">{_csrf(csrf)}'
               f'<button type="submit">退出</button></form></nav>')
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="stylesheet" href="/ops/static/ops.css"></head><body><header><h1>医保助手 · {escape(title)}'
            f'</h1>{nav}</header><main>{body}</main></body></html>')


def login_page(error: str = "") -> str:
    message = f'<p class="error">{escape(error)}</p>' if error else ""
    form = ('<form method="post" action="/ops/login" class="login">'
            '<label>操作员 <input name="name" autocomplete="username" required></label>'
            '<label>密码 <input name="password" type="password" autocomplete="current-password" required></label>'
            '<button type="submit" id="login">登录</button></form>')
    return layout("运营登录", message + form)


def _csrf(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(token)}">'


# ---------------------------------------------------------------- dashboard


def dashboard_page(result: Figures, operator: str, csrf: str) -> str:
    period = result.period
    query = urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})
    picker = (f'<form method="get" action="/ops" class="range">从 <input type="date" name="from" '
              f'value="{period.start}"> 到 <input type="date" name="to" value="{period.end}"> '
              f'<button type="submit">查看</button> <a href="/ops/export.csv?{query}" id="csv">导出 CSV</a></form>')
    body = picker + _cards(result) + _chart(result) + _tables(result)
    return layout("数据看板", body, operator, csrf)


def _cards(result: Figures) -> str:
    figures = summary(result)
    satisfaction = ("—" if result.satisfaction_mean is None
                    else f"{result.satisfaction_mean:.2f} / 5（{result.satisfaction_count} 份）")
    rated = result.helpful + result.unhelpful
    cards = [("messages", "消息数", str(result.messages)),
             ("clarify_rate", "反问澄清率", _pct(figures["clarify_rate"])),
             ("refuse_rate", "拒答率", _pct(figures["refuse_rate"])),
             ("handoff_rate", "转人工率", f"{_pct(figures['handoff_rate'])}（{result.handoffs} 次）"),
             ("wait", "人工等待中位数", _minutes(result.wait_median_minutes)),
             ("satisfaction", "人工满意度", satisfaction),
             ("helpful", "回答评价", f"有帮助 {result.helpful} · 没帮到 {result.unhelpful}" if rated else "—"),
             ("p95", "回复耗时 p95", _ms(result.p95_reply_ms))]
    return '<section class="cards">' + "".join(
        f'<div class="card" id="card-{key}"><div class="label">{label}</div><div class="value">{escape(value)}</div></div>'
        for key, label, value in cards) + "</section>"


def _chart(result: Figures, width: int = 720, height: int = 220) -> str:
    """Messages per day, stacked by channel, as inline SVG."""
    days = sorted(result.per_day)
    peak = max([sum(c.values()) for c in result.per_day.values()] + [1])
    slot = (width - 40) / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        y = height - 30
        for channel in result.channels:
            count = result.per_day[day][channel]
            if not count:
                continue
            h = count / peak * (height - 60)
            y -= h
            bars.append(f'<rect x="{30 + index * slot + 2:.1f}" y="{y:.1f}" width="{max(slot - 4, 1):.1f}" '
                        f'height="{h:.1f}" fill="{CHANNEL_COLOURS.get(channel, "#999")}">'
                        f'<title>{day} {CHANNEL_NAMES.get(channel, channel)} {count}</title></rect>')
        bars.append(f'<text x="{30 + index * slot + slot / 2:.1f}" y="{height - 12}" text-anchor="middle" '
                    f'font-size="10">{_short(day, len(days))}</text>')
    legend = " ".join(f'<span class="key"><i class="sw-{escape(c)}"></i>{escape(CHANNEL_NAMES.get(c, c))} '
                      f'{n}</span>' for c, n in sorted(per_channel_totals(result).items()))
    return (f'<section><h2>每日消息数（按渠道）</h2><svg id="per-day" viewBox="0 0 {width} {height}" width="100%" '
            f'role="img" aria-label="每日消息数"><text x="4" y="16" font-size="10">{peak}</text>'
            f'<line x1="28" y1="{height - 30}" x2="{width}" y2="{height - 30}" stroke="#999"/>{"".join(bars)}</svg>'
            f'<p class="legend">{legend}</p></section>')


def _tables(result: Figures) -> str:
    outcomes = [(OUTCOME_NAMES.get(k, k), v) for k, v in sorted(result.outcomes.items(), key=lambda i: -i[1])]
    return ('<section class="grid">'
            + _table("top-intents", "热门意图（已回答）", ["意图", "次数"], result.top_intents)
            + _table("top-faq", "热门知识条目", ["条目", "次数"], result.top_faq)
            + _table("outcomes", "处理结果", ["结果", "次数"], outcomes)
            + '</section>'
            + _table("unanswered", "未解决问题 Top 20（反问、拒答、用户说没帮到）", ["问题（已脱敏）", "次数"], result.unanswered))


def _table(key: str, title: str, headers: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return (f'<section><h2>{escape(title)}</h2><table id="{key}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{body or "<tr><td colspan=2>（暂无）</td></tr>"}</tbody></table></section>')


# ---------------------------------------------------------------- review queue


def review_page(items: list[ReviewItem], labelled: int, intents: tuple[str, ...], faq_keys: tuple[str, ...],
                operator: str, csrf: str, notice: str = "") -> str:
    options = "".join(f'<option value="{escape(i)}">{escape(i)}</option>' for i in intents)
    datalist = '<datalist id="faq-keys">' + "".join(f'<option value="{escape(k)}">' for k in faq_keys) + "</datalist>"
    rows = "".join(_review_row(item, options, csrf) for item in items)
    export = (f'<form method="post" action="/ops/review/export" class="inline">{_csrf(csrf)}'
              f'<button type="submit" id="export">导出已标注（{labelled} 条）</button></form>')
    message = f'<p class="notice">{notice}</p>' if notice else ""
    table = (f'<table id="queue"><thead><tr><th>时间</th><th>原因</th><th>问题（已脱敏）</th><th>模型判断</th>'
             f'<th>标注</th></tr></thead><tbody>{rows or "<tr><td colspan=5>队列为空</td></tr>"}</tbody></table>')
    return layout("待审问题", message + f"<p>待审 {len(items)} 条。{export}</p>" + datalist + table, operator, csrf)


def _review_row(item: ReviewItem, intent_options: str, csrf: str) -> str:
    guess = f"{item.predicted_intent or '—'}" + (f"（{item.confidence:.2f}）" if item.confidence is not None else "")
    form = (f'<form method="post" action="/ops/review/{item.id}" class="label">{_csrf(csrf)}'
            f'<select name="intent"><option value="">意图…</option>{intent_options}</select> '
            f'<input name="faq_key" list="faq-keys" placeholder="或知识条目 intent/id" size="28"> '
            f'<label><input type="checkbox" name="new_answer" value="1">需要新答案</label> '
            f'<button type="submit">保存</button></form>')
    return (f'<tr id="item-{item.id}"><td>{item.at:%m-%d %H:%M}</td><td>{escape(item.reason_text)}</td>'
            f'<td class="q">{escape(item.question)}</td><td>{escape(guess)}</td><td>{form}</td></tr>')


def export_page(export: Export | None, operator: str, csrf: str) -> str:
    if export is None:
        return layout("导出", '<p>没有已标注、待导出的问题。<a href="/ops/review">返回待审问题</a></p>', operator, csrf)
    links = "".join(f'<li><a href="/ops/review/exports/{escape(export.name)}/{escape(path.name)}">{escape(path.name)}'
                    f'</a><pre>{escape(path.read_text(encoding="utf-8"))}</pre></li>' for path in export.files)
    body = (f'<p id="exported">已导出 {export.items} 条到 <code>{escape(str(export.folder))}</code>。'
            f'把 nlu.yml 的例句移入 data/nlu/&lt;意图&gt;.yml、faq.yml 的问题加入 data/faq 对应条目后，运行 '
            f'<code>make model</code> 重新训练。</p><ul>{links}</ul>')
    return layout("导出", body, operator, csrf)


def _pct(value: float | int | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} 分钟"


def _short(day: date, count: int) -> str:
    return f"{day:%m-%d}" if count <= 14 else (f"{day:%d}" if count <= 62 else "")
