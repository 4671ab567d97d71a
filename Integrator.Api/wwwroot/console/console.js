// The console works without this script; with it, UTC times also show the reader's local time, and the error summary
// (or else an action's outcome banner) takes the focus so that a screen reader announces it.
document.addEventListener("DOMContentLoaded", () => {
  for (const time of document.querySelectorAll("time[datetime]")) {
    const at = new Date(time.getAttribute("datetime"));
    if (!Number.isNaN(at.getTime())) {
      const local = document.createElement("span");
      local.className = "local";
      local.textContent = ` (${at.toLocaleString()} local)`;
      time.append(local);
    }
  }

  (document.getElementById("error-summary") ?? document.getElementById("outcome"))?.focus();
});
