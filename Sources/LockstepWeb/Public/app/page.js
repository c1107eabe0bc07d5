// Small helpers every page uses.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** Returns a function that shows a status line in `element` (in red when it is an error). */
export function statusLine(element) {
    return (text, isError = false) => {
        element.textContent = text;
        element.classList.toggle('error', isError);
    };
}
