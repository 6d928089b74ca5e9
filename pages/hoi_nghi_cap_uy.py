from ui import page

page.run(lambda: page.start("…"))
