// A small line chart for the dashboard, drawn on a <canvas>: time on x, values on y, one line
// per series, a legend, and round-number ticks. Written for this page (no build step, no
// dependency); it draws what it is given and nothing else.
"use strict";

const AllotChart = (() => {
  // Round-number steps (1, 2, 5 × 10^k) giving about `count` ticks up to `max`.
  function niceStep(max, count) {
    const raw = max / Math.max(1, count);
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const factor of [1, 2, 5, 10]) {
      if (raw <= factor * magnitude) return factor * magnitude;
    }
    return 10 * magnitude;
  }

  function formatValue(value) {
    if (value >= 1e6) return (value / 1e6).toFixed(value >= 1e7 ? 0 : 1) + "M";
    if (value >= 1e3) return (value / 1e3).toFixed(value >= 1e4 ? 0 : 1) + "k";
    return String(Math.round(value * 10) / 10);
  }

  function formatTime(ms) {
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  // series: [{name, color, points: [[x_ms, y], ...]}]
  function line(canvas, series, options = {}) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width;
    const height = canvas.clientHeight || canvas.height;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = "11px system-ui, sans-serif";

    const pad = { left: 52, right: 12, top: 22, bottom: 24 };
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const all = series.flatMap((s) => s.points);
    if (all.length === 0) {
      g.fillStyle = "#6b7385";
      g.fillText(options.empty || "no data yet", pad.left, pad.top + plotH / 2);
      return;
    }
    const xMin = Math.min(...all.map((p) => p[0]));
    const xMax = Math.max(xMin + 1, ...all.map((p) => p[0]));
    const step = niceStep(Math.max(1, ...all.map((p) => p[1])), 4);
    const yMax = step * Math.ceil(Math.max(1, ...all.map((p) => p[1])) / step);
    const x = (v) => pad.left + ((v - xMin) / (xMax - xMin)) * plotW;
    const y = (v) => pad.top + plotH - (v / yMax) * plotH;

    g.strokeStyle = "#e2e5ec";
    g.fillStyle = "#6b7385";
    g.lineWidth = 1;
    g.textAlign = "right";
    g.textBaseline = "middle";
    for (let v = 0; v <= yMax + step / 2; v += step) {
      g.beginPath();
      g.moveTo(pad.left, Math.round(y(v)) + 0.5);
      g.lineTo(pad.left + plotW, Math.round(y(v)) + 0.5);
      g.stroke();
      g.fillText(formatValue(v), pad.left - 6, y(v));
    }
    g.textBaseline = "top";
    for (let i = 0; i <= 4; i++) {
      const t = xMin + ((xMax - xMin) * i) / 4;
      // The last label ends at the plot's right edge instead of running past the canvas.
      g.textAlign = i === 4 ? "right" : "center";
      g.fillText(formatTime(t), x(t), pad.top + plotH + 6);
    }

    let legendX = pad.left;
    for (const s of series) {
      g.strokeStyle = s.color;
      g.lineWidth = 1.75;
      g.beginPath();
      s.points.forEach(([px, py], i) => (i === 0 ? g.moveTo(x(px), y(py)) : g.lineTo(x(px), y(py))));
      g.stroke();
      g.fillStyle = s.color;
      g.fillRect(legendX, 6, 10, 10);
      g.fillStyle = "#1d2330";
      g.textAlign = "left";
      g.textBaseline = "middle";
      g.fillText(s.name, legendX + 14, 11);
      legendX += 24 + g.measureText(s.name).width;
    }
  }

  return { line, niceStep, formatValue };
})();
