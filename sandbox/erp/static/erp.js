// The little script a real back office has: lists that load after the page, the confirmation
// dialog, and the running totals of the cash-application screen.
"use strict";

async function loadSlowList(box) {
  let response;
  try {
    response = await fetch(box.dataset.src, { headers: { "X-Requested-With": "fetch" } });
  } catch (error) {
    box.innerHTML = '<p class="flash flash-error" role="alert">The list could not be loaded. Reload the page.</p>';
    return;
  }
  if (response.status === 401) {
    window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    return;
  }
  if (!response.ok) {
    box.innerHTML = '<p class="flash flash-error" role="alert">The list could not be loaded (error ' +
      response.status + "). Reload the page.</p>";
    return;
  }
  box.innerHTML = await response.text();
}

function parseAmount(text) {
  const value = parseFloat((text || "").replace(/[\s\u00a0\u202f,]/g, ""));
  return isNaN(value) ? 0 : value;
}

function showRunningTotals(form) {
  const out = document.getElementById("running-totals");
  if (!out) return;
  const update = () => {
    let allocated = 0, writtenOff = 0;
    form.querySelectorAll("input.allocate").forEach((i) => { allocated += parseAmount(i.value); });
    form.querySelectorAll("input.writeoff").forEach((i) => { writtenOff += parseAmount(i.value); });
    const amount = parseAmount(document.getElementById(form.dataset.amountField).value);
    const remaining = amount - (allocated - writtenOff);
    out.textContent = "Allocated " + allocated.toFixed(2) + " · Write-offs " + writtenOff.toFixed(2) +
      " · Remaining to allocate " + remaining.toFixed(2);
  };
  form.addEventListener("input", update);
  update();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".slow-list[data-src]").forEach(loadSlowList);
  document.querySelectorAll("dialog[data-show-on-load]").forEach((d) => d.showModal());
  document.querySelectorAll("form[data-amount-field]").forEach(showRunningTotals);
});
