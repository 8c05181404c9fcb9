// The proposal list's project field: as one types, suggest the projects whose names
// contain what was typed (of the chosen committee, if one is), from the server, which
// sends a few at a time. Without this script the field still takes a typed name, and
// the page suggests the chosen committee's projects itself.
(function () {
  "use strict";
  const input = document.getElementById("id_project");
  const list = document.getElementById("project-choices");
  const committee = document.getElementById("id_committee");
  if (!input || !list || !list.dataset.source) {
    return;
  }
  let timer = null;
  let latest = 0;

  function show(names) {
    list.replaceChildren(
      ...names.map(function (name) {
        const option = document.createElement("option");
        option.value = name;
        return option;
      })
    );
  }

  function suggest() {
    const typed = input.value.trim();
    if (!typed) {
      return;
    }
    const query = new URLSearchParams({ q: typed });
    if (committee && committee.value) {
      query.set("committee", committee.value);
    }
    const asked = ++latest;
    fetch(list.dataset.source + "?" + query.toString(), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.json() : { names: [] };
      })
      .then(function (data) {
        if (asked === latest) {
          show(data.names || []);
        }
      })
      .catch(function () {
        // No suggestions this time: the field still takes what is typed.
      });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
})();
