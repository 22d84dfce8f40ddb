// The event player: captions on by default, touchpoint list, pause for discussion after each
// touchpoint, keyboard controls. Works from file:// with no network: everything it needs is in
// the page (#film-data) or beside it.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("film-data").textContent);
  var video = document.getElementById("film");
  var notes = document.getElementById("notes");
  var prompt = document.getElementById("prompt");
  var playButton = document.getElementById("play");
  var captionsButton = document.getElementById("captions");
  var sizeLabel = document.getElementById("size");
  var pauseBox = document.getElementById("pause-at-end");
  var chapters = data.chapters;
  var sizes = [75, 100, 125, 150, 200, 250];
  var sizeIndex = 1;
  // Where playback was at the last check: a touchpoint's end is "reached" when playing crosses
  // it, not when someone seeks past it.
  var lastTime = 0;
  var pausedFor = -1;

  // Captions: a track made here from the cues in the page (see page.py for why).
  var track = video.addTextTrack("captions", "English", "en");
  data.cues.forEach(function (cue) {
    var text = cue.speaker ? "<v " + cue.speaker + ">" + cue.text + "</v>" : cue.text;
    track.addCue(new VTTCue(cue.start, cue.end, text));
  });
  track.mode = "showing";

  function setCaptions(on) {
    track.mode = on ? "showing" : "hidden";
    captionsButton.setAttribute("aria-pressed", on ? "true" : "false");
    captionsButton.textContent = on ? "Captions on" : "Captions off";
  }

  function setSize(index) {
    sizeIndex = Math.max(0, Math.min(sizes.length - 1, index));
    document.documentElement.style.setProperty("--cue-scale", sizes[sizeIndex] / 100);
    sizeLabel.textContent = "Caption size " + sizes[sizeIndex] + "%";
  }

  function chapterAt(time) {
    var found = -1;
    chapters.forEach(function (c, i) {
      if (time >= c.start - 0.001) found = i;
    });
    return found;
  }

  function highlight() {
    var current = chapterAt(video.currentTime);
    document.querySelectorAll(".chapter").forEach(function (button, i) {
      if (i === current) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
  }

  function hidePrompt() {
    prompt.hidden = true;
  }

  function showPrompt(i) {
    document.getElementById("prompt-title").textContent = chapters[i].title;
    document.getElementById("prompt-text").textContent = chapters[i].prompt;
    prompt.hidden = false;
    document.getElementById("continue").focus();
  }

  function start() {
    notes.hidden = true;
    document.getElementById("player").focus();
    video.play();
  }

  function jump(i) {
    if (i < 0 || i >= chapters.length) return;
    hidePrompt();
    video.currentTime = chapters[i].start;
    lastTime = chapters[i].start;
    if (!notes.hidden) notes.hidden = true;
    video.play();
  }

  // Checked every animation frame while playing, so the pause lands within a frame or two of
  // the touchpoint's end rather than up to a quarter second late (timeupdate's pace).
  function check() {
    var now = video.currentTime;
    if (pauseBox.checked && !video.paused) {
      for (var i = 0; i < chapters.length; i++) {
        var end = chapters[i].end;
        if (lastTime < end && now >= end - 0.04 && pausedFor !== i) {
          pausedFor = i;
          video.pause();
          showPrompt(i);
          break;
        }
      }
    }
    lastTime = now;
    if (!video.paused) window.requestAnimationFrame(check);
  }

  video.addEventListener("play", function () {
    hidePrompt();
    playButton.textContent = "Pause";
    lastTime = video.currentTime;
    window.requestAnimationFrame(check);
  });
  video.addEventListener("pause", function () {
    playButton.textContent = "Play";
  });
  video.addEventListener("seeked", function () {
    lastTime = video.currentTime;
    pausedFor = -1;
    highlight();
  });
  video.addEventListener("timeupdate", highlight);

  document.getElementById("start").addEventListener("click", start);
  document.getElementById("continue").addEventListener("click", function () {
    hidePrompt();
    video.play();
  });
  playButton.addEventListener("click", function () {
    if (video.paused) video.play();
    else video.pause();
  });
  captionsButton.addEventListener("click", function () {
    setCaptions(track.mode !== "showing");
  });
  document.getElementById("smaller").addEventListener("click", function () {
    setSize(sizeIndex - 1);
  });
  document.getElementById("larger").addEventListener("click", function () {
    setSize(sizeIndex + 1);
  });
  document.querySelectorAll(".chapter").forEach(function (button) {
    button.addEventListener("click", function () {
      jump(Number(button.getAttribute("data-chapter")));
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = event.target.tagName;
    // Space and Enter keep their usual meaning on buttons, links and form fields.
    var onControl = tag === "BUTTON" || tag === "A" || tag === "INPUT" || tag === "VIDEO";
    var key = event.key;
    if ((key === " " && !onControl) || key === "k" || key === "K") {
      if (video.paused) video.play();
      else video.pause();
    } else if (key === "c" || key === "C") {
      setCaptions(track.mode !== "showing");
    } else if (key === "+" || key === "=") {
      setSize(sizeIndex + 1);
    } else if (key === "-" || key === "_") {
      setSize(sizeIndex - 1);
    } else if (key === "n" || key === "N") {
      jump(chapterAt(video.currentTime) + 1);
    } else if (key === "p" || key === "P") {
      jump(Math.max(0, chapterAt(video.currentTime) - 1));
    } else if (key === "ArrowRight" && tag !== "VIDEO") {
      video.currentTime = Math.min(video.duration || data.duration, video.currentTime + 5);
    } else if (key === "ArrowLeft" && tag !== "VIDEO") {
      video.currentTime = Math.max(0, video.currentTime - 5);
    } else if (key === "f" || key === "F") {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.querySelector(".stage").requestFullscreen();
    } else if (key === "Escape") {
      hidePrompt();
      return;
    } else {
      return;
    }
    event.preventDefault();
  });

  pauseBox.checked = !!data.pauseAtEnd;
  setCaptions(true);
  setSize(1);
  highlight();
})();
