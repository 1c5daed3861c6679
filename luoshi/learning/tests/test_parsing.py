def test_invisible_characters_are_dropped_from_names_and_organisations():
    from luoshi.learning.services.parsing import normalise

    assert normalise("张\x01三\u202e") == "张三"
    assert normalise("市委\u2066宣传部\x7f") == "市委宣传部"
    assert normalise("张三") == "张三"
