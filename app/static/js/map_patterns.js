/* PetaLapak: fill patterns for map areas, so a zone's meaning does not rest on colour alone.
 *
 * A path whose style has fillPattern ("hatch", "crosshatch" or "dots"; app/styles.py PATTERNS)
 * is filled as usual and then patterned in its outline colour: on a canvas with a CanvasPattern,
 * in SVG with a <pattern> in the renderer's <defs>. Every Leaflet map of the page gets it (it
 * extends L.Canvas and L.SVG), whoever builds the layer: folium, public_map.js, workspace.js.
 * The print-outs draw the same patterns (app/printing/map_layers.py) and the legend shows them.
 */
(function () {
  "use strict";
  if (!window.L || L.PetaLapakPatterns) { return; }
  var SIZE = 8;        // px between repeats
  var LINE = 1.5;      // px line width
  var KINDS = {hatch: true, crosshatch: true, dots: true};

  function drawCanvas(ctx, kind, colour) {
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = LINE;
    if (kind === "dots") {
      ctx.beginPath();
      ctx.arc(SIZE / 2, SIZE / 2, 1.6, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.beginPath();  // "/" through the tile and its corners, so repeats join up
    ctx.moveTo(0, SIZE); ctx.lineTo(SIZE, 0);
    ctx.moveTo(-1, 1); ctx.lineTo(1, -1);
    ctx.moveTo(SIZE - 1, SIZE + 1); ctx.lineTo(SIZE + 1, SIZE - 1);
    if (kind === "crosshatch") {
      ctx.moveTo(0, 0); ctx.lineTo(SIZE, SIZE);
      ctx.moveTo(-1, SIZE - 1); ctx.lineTo(1, SIZE + 1);
      ctx.moveTo(SIZE - 1, -1); ctx.lineTo(SIZE + 1, 1);
    }
    ctx.stroke();
  }

  function canvasPattern(ctx, kind, colour) {
    var cache = ctx.plPatterns || (ctx.plPatterns = {});
    var key = kind + colour;
    if (!cache[key]) {
      var tile = document.createElement("canvas");
      tile.width = SIZE;
      tile.height = SIZE;
      drawCanvas(tile.getContext("2d"), kind, colour);
      cache[key] = ctx.createPattern(tile, "repeat");
    }
    return cache[key];
  }

  var svgNS = "http://www.w3.org/2000/svg";
  var seq = 0;

  function svgPattern(renderer, kind, colour, fill, fillOpacity) {
    var cache = renderer.plPatterns || (renderer.plPatterns = {});
    var key = [kind, colour, fill, fillOpacity].join("|");
    if (cache[key]) { return cache[key]; }
    var svg = renderer._container;
    var defs = svg.querySelector("defs");
    if (!defs) { defs = document.createElementNS(svgNS, "defs"); svg.insertBefore(defs, svg.firstChild); }
    var id = "pl-pattern-" + (++seq);
    var p = document.createElementNS(svgNS, "pattern");
    p.setAttribute("id", id);
    p.setAttribute("patternUnits", "userSpaceOnUse");
    p.setAttribute("width", SIZE);
    p.setAttribute("height", SIZE);
    p.setAttribute("data-pattern", kind);
    function el(name, attrs) {
      var e = document.createElementNS(svgNS, name);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      p.appendChild(e);
    }
    el("rect", {width: SIZE, height: SIZE, fill: fill, "fill-opacity": fillOpacity});
    if (kind === "dots") {
      el("circle", {cx: SIZE / 2, cy: SIZE / 2, r: 1.6, fill: colour});
    } else {
      var d = "M0," + SIZE + "L" + SIZE + ",0M-1,1L1,-1M" + (SIZE - 1) + "," + (SIZE + 1) + "L" + (SIZE + 1) + "," + (SIZE - 1);
      if (kind === "crosshatch") {
        d += "M0,0L" + SIZE + "," + SIZE + "M-1," + (SIZE - 1) + "L1," + (SIZE + 1) + "M" + (SIZE - 1) + ",-1L" + (SIZE + 1) + ",1";
      }
      el("path", {d: d, stroke: colour, "stroke-width": LINE, fill: "none"});
    }
    defs.appendChild(p);
    cache[key] = "url(#" + id + ")";
    return cache[key];
  }

  var canvasFillStroke = L.Canvas.prototype._fillStroke;
  L.Canvas.include({
    _fillStroke: function (ctx, layer) {
      var o = layer.options;
      if (!o.fill || !KINDS[o.fillPattern]) { return canvasFillStroke.call(this, ctx, layer); }
      ctx.globalAlpha = o.fillOpacity;
      ctx.fillStyle = o.fillColor || o.color;
      ctx.fill(o.fillRule || "evenodd");
      ctx.globalAlpha = 1;  // the pattern in the outline colour, opaque: it reads at any fill
      ctx.fillStyle = canvasPattern(ctx, o.fillPattern, o.color);
      ctx.fill(o.fillRule || "evenodd");
      o.fill = false;       // the outline, as Leaflet draws it
      try { canvasFillStroke.call(this, ctx, layer); } finally { o.fill = true; }
    }
  });

  if (L.SVG) {
    var svgUpdateStyle = L.SVG.prototype._updateStyle;
    L.SVG.include({
      _updateStyle: function (layer) {
        svgUpdateStyle.call(this, layer);
        var o = layer.options, path = layer._path;
        if (!path || !o.fill || !KINDS[o.fillPattern]) { return; }
        path.setAttribute("fill", svgPattern(this, o.fillPattern, o.color, o.fillColor || o.color,
                                             o.fillOpacity));
        path.setAttribute("fill-opacity", 1);
      }
    });
  }

  L.PetaLapakPatterns = {kinds: Object.keys(KINDS)};
})();
