// Starts GraphiQL once the API token is known, so that its first request (the
// schema's introspection) already carries it and the docs panel never shows
// "Error fetching schema". The token is kept in sessionStorage (this tab,
// until it closes) and sent as `Authorization: Bearer …` on HTTP and in the
// WebSocket's `connection_init` payload, where the server reads it for
// subscriptions (graphql-transport-ws; a browser cannot set headers on a
// WebSocket). Served from the binary with the page's Content-Security-Policy
// forbidding inline scripts, hence this file.
(function () {
  "use strict";
  var STORAGE_KEY = "zaiti.token";
  var form = document.getElementById("token-form");
  var input = document.getElementById("token");
  var refused = document.getElementById("token-error");
  var root = document.getElementById("graphiql");

  function storedToken() {
    try {
      return window.sessionStorage.getItem(STORAGE_KEY);
    } catch (err) {
      return null;
    }
  }

  function keep(token) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, token);
    } catch (err) {
      // Storage disabled: the token lasts as long as the page.
    }
  }

  function forget() {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (err) {
      // Nothing was kept.
    }
  }

  // A refused token (HTTP 401) sends the user back to the form.
  function askAgain() {
    forget();
    window.location.hash = "refused";
    window.location.reload();
  }

  function start(token) {
    var auth = token ? { Authorization: "Bearer " + token } : {};
    var url = new URL("/graphql", window.location.href);
    var wsUrl = new URL(url.href);
    wsUrl.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    var wsClient = graphqlWs.createClient({
      url: wsUrl.href,
      connectionParams: auth,
      lazy: true,
      on: {
        closed: function (event) {
          // 4403: the token was refused or revoked.
          if (event && event.code === 4403) askAgain();
        },
      },
    });
    var fetcher = GraphiQL.createFetcher({
      url: url.href,
      headers: auth,
      wsClient: wsClient,
      fetch: function (input, init) {
        return window.fetch(input, init).then(function (response) {
          if (response.status === 401) askAgain();
          return response;
        });
      },
    });
    form.hidden = true;
    root.hidden = false;
    ReactDOM.createRoot(root).render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: "# zaiti GraphQL\n{\n  carriers(first: 5) {\n    nodes { id name }\n  }\n}\n",
      })
    );
  }

  var token = storedToken();
  if (token !== null) {
    start(token);
    return;
  }
  if (window.location.hash === "#refused") refused.hidden = false;
  form.hidden = false;
  input.focus();
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var entered = input.value.trim();
    keep(entered);
    window.history.replaceState(null, "", window.location.pathname);
    start(entered);
  });
})();
