"""Counter mode (柜台/帮办代办): the screen agents use all day."""
