"""Line charts as plain SVG, for the benchmark page (no plotting library on a fresh machine)."""
import math
from xml.sax.saxutils import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
W, H, LEFT, RIGHT, TOP, BOTTOM = 720, 420, 70, 250, 40, 50


def _ticks(lo, hi, log):
    if log:
        first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        return [10 ** e for e in range(first, last + 1)]
    step = 10 ** math.floor(math.log10((hi - lo) or 1))
    while (hi - lo) / step > 8:
        step *= 2
    start = math.floor(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step) + 2)]


def _label(v):
    if v >= 1000 and v == int(v):
        return "{:,}".format(int(v))
    return ("%g" % v)


def line_chart(title, series, xlabel, ylabel, xlog=True, ylog=True, dashed=()):
    """series: [(label, [(x, y), ...])]; labels in `dashed` are drawn dashed (floors, limits)."""
    points = [p for _, ps in series for p in ps if p[1] is not None and (not ylog or p[1] > 0)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    xt = _ticks(min(xs), max(xs), xlog)
    yt = _ticks(min(ys) if ylog else min(0, min(ys)), max(ys), ylog)
    x0, x1, y0, y1 = xt[0], xt[-1], yt[0], yt[-1]
    f = (lambda v: math.log10(v)) if xlog else (lambda v: v)
    g = (lambda v: math.log10(v)) if ylog else (lambda v: v)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(v):
        return LEFT + (f(v) - f(x0)) / ((f(x1) - f(x0)) or 1) * pw

    def py(v):
        return TOP + ph - (g(v) - g(y0)) / ((g(y1) - g(y0)) or 1) * ph

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>' % (LEFT, escape(title))]
    for v in xt:
        out.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (px(v), TOP, px(v), TOP + ph))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (px(v), TOP + ph + 16, _label(v)))
    for v in yt:
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (LEFT, py(v), LEFT + pw, py(v)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (LEFT - 6, py(v) + 4, _label(v)))
    out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>' % (LEFT, TOP, pw, ph))
    out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (LEFT + pw / 2, H - 12, escape(xlabel)))
    out.append('<text transform="translate(16,%.1f) rotate(-90)" text-anchor="middle">%s</text>' % (TOP + ph / 2, escape(ylabel)))
    for i, (label, ps) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        ps = [p for p in ps if p[1] is not None and (not ylog or p[1] > 0)]
        dash = ' stroke-dasharray="6,4"' if label in dashed else ""
        if len(ps) > 1:
            path = " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in ps)
            out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>' % (path, colour, dash))
        for x, y in ps:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (px(x), py(y), colour))
        ly = TOP + 10 + i * 18
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>' % (W - RIGHT + 12, ly, W - RIGHT + 36, ly, colour, dash))
        out.append('<text x="%d" y="%d">%s</text>' % (W - RIGHT + 42, ly + 4, escape(label)))
    out.append("</svg>")
    return "\n".join(out) + "\n"
