// tapswitch console: draws the report charts with uPlot from the JSON the page carries (no inline script, CSP).
(function () {
  function draw() {
    var data = document.getElementById('chart-data');
    if (!data || typeof uPlot === 'undefined') { return; }
    var chart = JSON.parse(data.textContent);
    document.querySelectorAll('.chart[data-series]').forEach(function (el) {
      var values = chart[el.dataset.series];
      if (!values) { return; }
      new uPlot({
        width: Math.min(el.clientWidth || 800, 1100), height: 220,
        series: [{}, { label: el.dataset.label || el.dataset.series, stroke: '#0057b7', fill: 'rgba(0,87,183,0.12)' }],
        axes: [{}, {}]
      }, [chart.days, values], el);
    });
  }
  window.addEventListener('load', draw);
})();
