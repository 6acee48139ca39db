/* Parts of a chart card built when opened (dashboard/components/card_callbacks.py).
 *
 * A <details> element does not tell Dash when it opens, so each toggle of a
 * details[data-lazy] (the data table, the share panel) is passed on as its "open" property;
 * the card's callback then builds that part for the view drawn. A table arrives as plain
 * HTML markup (built and escaped on the server) and is written into its box here: one
 * element tree for the browser to parse, not thousands of components for Dash to track.
 */
(function () {
  'use strict';
  document.addEventListener('toggle', function (event) {
    var details = event.target;
    if (!details || !details.matches || !details.matches('details[data-lazy]')) { return; }
    var clientside = window.dash_clientside;
    if (!details.id || !clientside || !clientside.set_props) { return; }
    clientside.set_props(details.id, { open: details.open });
  }, true);

  var clientside = window.dash_clientside = window.dash_clientside || {};
  clientside.lead = Object.assign({}, clientside.lead, {
    fillTable: function (markup, id) {
      var box = document.getElementById(id);
      if (box) { box.innerHTML = markup || ''; }
      return window.dash_clientside.no_update;
    }
  });
}());
